#pragma once
// The one check of a number against the range a physical quantity can have, wherever the
// number comes from (an option, a file's attribute): NaN, Inf and values like 1e-300 that
// pass a "> 0" test but overflow or underflow what is computed from them are refused alike,
// in one line that names the source, the value and the range.
#include <string>

namespace ecm {

// Throws InputError "WHAT is V UNIT: MEANING must be a finite number in [LO, HI] UNIT[; REMEDY]"
// unless lo <= v <= hi (so also when v is NaN).
void require_in_range(double v, double lo, double hi, const std::string& what, const std::string& unit,
                      const std::string& meaning, const std::string& remedy = "");

// v as a message shows it ("1e-300", "0.25"): ostream's default format.
std::string number_text(double v);

}  // namespace ecm
