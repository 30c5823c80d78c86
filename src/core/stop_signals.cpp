#include "ecm/core/stop_signals.hpp"

#include <unistd.h>

#include <csignal>
#include <cstring>

#include "ecm/core/partial_outputs.hpp"

namespace ecm::stop_signals {

namespace {

// Written from signal handlers, so made before any signal can come and never changed.
struct Lines {
  std::string term, interrupt, hangup, clean_stop;
};
Lines* g_lines = nullptr;
bool g_printer = false;
volatile std::sig_atomic_t g_announced = 0;

void say(const std::string& line) noexcept {
  if (!g_printer) return;
  [[maybe_unused]] const auto n = write(STDERR_FILENO, line.data(), line.size());
}

extern "C" void on_stop_signal(int sig) {
  if (g_lines) say(sig == SIGINT ? g_lines->interrupt : sig == SIGHUP ? g_lines->hangup : g_lines->term);
  partial_outputs::remove_all_from_signal_handler();
  std::signal(sig, SIG_DFL);  // die of it: the exit status says which signal
  std::raise(sig);
}

}  // namespace

void install(const std::string& command, int rank) {
  g_lines = new Lines{command + ": stopped by SIGTERM\n", command + ": stopped by SIGINT\n",
                      command + ": stopped by SIGHUP\n",
                      command + ": stop requested by a signal: saving the tiles in progress, then stopping "
                                "(--resume continues from what is saved)\n"};
  g_printer = rank == 0;
  struct sigaction action {};
  action.sa_handler = on_stop_signal;
  sigemptyset(&action.sa_mask);
  for (int sig : {SIGTERM, SIGINT, SIGHUP}) sigaction(sig, &action, nullptr);
}

void announce_clean_stop() noexcept {
  if (g_announced || !g_lines) return;
  g_announced = 1;
  say(g_lines->clean_stop);
}

}  // namespace ecm::stop_signals
