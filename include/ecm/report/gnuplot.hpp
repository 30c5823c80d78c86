#pragma once
// Figures are drawn by gnuplot (the well-kept plotting program every cluster has; Debian's
// gnuplot-nox has the pngcairo terminal): ecm writes the numbers as plain data files and a
// script per figure next to the PNG, so a user can restyle any figure by editing the script
// and re-running gnuplot on it.
#include <string>
#include <vector>

namespace ecm::report {

// The gnuplot executable: $ECM_GNUPLOT if set, else "gnuplot" on PATH. Empty when absent.
std::string find_gnuplot();

// Runs gnuplot on `script` in its directory; throws Error with gnuplot's own message (the
// last lines of its stderr, kept in <script>.log) when it fails or draws nothing.
void run_gnuplot(const std::string& gnuplot, const std::string& script, const std::string& png);

// Whitespace-separated columns with a '#' header line; NaN written as "NaN", which the
// scripts declare missing.
void write_columns(const std::string& path, const std::vector<std::string>& names,
                   const std::vector<std::vector<double>>& columns);

// A (rows x cols) matrix, row-major, for `matrix with image` / contour plots.
void write_matrix(const std::string& path, const std::vector<double>& values, std::size_t rows, std::size_t cols);

// gnuplot string literal for a file name or text (single-quoted, quotes escaped).
std::string quoted(const std::string& text);

}  // namespace ecm::report
