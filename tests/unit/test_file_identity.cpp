// io::same_file decides by device and inode, after links, whether two paths are one file
// (issue 14, class 1: `-o ./data.h5` for data.h5 overwrote the input), and
// io::refuse_writing_inputs applies it to an output, its partial file and its tile ledger.
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <string>

#include "decoder_support.hpp"
#include "ecm/core/error.hpp"
#include "ecm/io/file_identity.hpp"
#include "ecm/io/output_guard.hpp"

using ecm::io::same_file;
namespace fs = std::filesystem;

namespace {

void write_text(const std::string& path, const std::string& text) {
  std::ofstream out(path);
  out << text;
  REQUIRE(out.good());
}

}  // namespace

TEST_CASE("same_file: one file however it is reached", "[file-identity]") {
  const std::string dir = ecm::test::make_temp_dir("identity");
  const std::string a = dir + "/a.h5", b = dir + "/b.h5";
  write_text(a, "a");
  write_text(b, "a");  // same content, another file

  SECTION("relative and absolute spellings") {
    CHECK(same_file(a, a));
    CHECK(same_file(a, dir + "/./a.h5"));
    CHECK(same_file(a, dir + "/../" + fs::path(dir).filename().string() + "/a.h5"));
    CHECK(same_file(a, fs::relative(a).string()));
  }
  SECTION("a symlink, absolute or relative, and a chain of them") {
    fs::create_symlink(a, dir + "/abs_link.h5");
    fs::create_symlink("a.h5", dir + "/rel_link.h5");
    fs::create_symlink("rel_link.h5", dir + "/chain.h5");
    CHECK(same_file(dir + "/abs_link.h5", a));
    CHECK(same_file(a, dir + "/rel_link.h5"));
    CHECK(same_file(dir + "/chain.h5", dir + "/abs_link.h5"));
    CHECK_FALSE(same_file(dir + "/chain.h5", b));
  }
  SECTION("a hard link") {
    fs::create_hard_link(a, dir + "/hard.h5");
    CHECK(same_file(dir + "/hard.h5", a));
  }
  SECTION("paths that do not exist yet: the same name in the same directory") {
    CHECK(same_file(dir + "/new.h5", dir + "/./new.h5"));
    CHECK(same_file(dir + "/new.h5", fs::relative(dir).string() + "/new.h5"));
    CHECK_FALSE(same_file(dir + "/new.h5", dir + "/other.h5"));
    CHECK_FALSE(same_file(dir + "/new.h5", a));
    // A dangling symlink is the file it would create.
    fs::create_symlink("new.h5", dir + "/to_new.h5");
    CHECK(same_file(dir + "/to_new.h5", dir + "/new.h5"));
  }
  SECTION("different files, and paths that name nothing") {
    CHECK_FALSE(same_file(a, b));
    CHECK_FALSE(same_file(a, dir));
    CHECK_FALSE(same_file("", ""));
    CHECK_FALSE(same_file(dir + "/no/such/dir/x.h5", dir + "/no/such/dir/x.h5"));
  }
  fs::remove_all(dir);
}

TEST_CASE("refuse_writing_inputs: the output, its partial file and ledger against what is read",
          "[file-identity]") {
  using ecm::io::refuse_writing_inputs;
  const std::string dir = ecm::test::make_temp_dir("guard");
  const std::string in = dir + "/data.h5", hdr = dir + "/data.hdr";
  write_text(in, "frames");
  write_text(hdr, "header");
  // The message refuse_writing_inputs throws, empty when it lets the output be written.
  const auto refusal = [](const std::string& out, bool ledger, const std::string& input) -> std::string {
    try {
      refuse_writing_inputs(out, ledger, input, {input.substr(0, input.rfind('/')) + "/data.hdr"});
    } catch (const ecm::InputError& e) {
      return e.what();
    }
    return {};
  };

  CHECK(refusal(dir + "/out.h5", true, in).empty());
  CHECK(refusal(in, true, in) == "the output '" + in + "' is the input file; choose another -o");
  CHECK(refusal(dir + "/./data.h5", true, in) ==
        "the output '" + dir + "/./data.h5' is the input file '" + in + "'; choose another -o");
  CHECK(refusal(hdr, false, in) == "the output '" + hdr + "' is a file read with the input '" + in + "'; choose another -o");
  // `ecm run r.h5.partial -o r.h5`: the input is the partial file the run would create.
  write_text(dir + "/r.h5.partial", "an unfinished output");
  CHECK(refusal(dir + "/r.h5", false, dir + "/r.h5.partial") ==
        "the output's partial file '" + dir + "/r.h5.partial' is the input file; choose another -o");
  // OUT.partial or OUT.partial.tiles a symlink to the input.
  fs::create_symlink(in, dir + "/out2.h5.partial");
  CHECK_THAT(refusal(dir + "/out2.h5", false, in),
             Catch::StartsWith("the output's partial file '" + dir + "/out2.h5.partial' is the input file '" + in + "'"));
  fs::create_symlink("data.h5", dir + "/led.h5.partial.tiles");
  CHECK(refusal(dir + "/led.h5", false, in).empty());  // convert and ttcf keep no ledger
  CHECK_THAT(refusal(dir + "/led.h5", true, in), Catch::StartsWith("the output's tile ledger"));
  fs::remove_all(dir);
}
