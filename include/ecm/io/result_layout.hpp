#pragma once
// The shapes a result file's readers rely on, checked before any of them indexes into what
// it read (issue 14, class 12): `ecm inspect` indexed /tau with the length of /fit_status
// and read out of bounds when /tau was smaller. Every reader of result files (inspect,
// stats, design, report, the ttcf reader) goes through these checks, so that a damaged or
// foreign file is one InputError naming the file and the dataset.
#include <hdf5.h>

#include <cstddef>
#include <string>
#include <vector>

namespace ecm::io {

// The hypercube shape (scan_y, scan_x, n_kr, n_kphi) of an ecm result: /tau is 4-D with no
// empty axis, and every per-pixel dataset present (/fit_status, /tau_err, /beta, ...,
// /mean_intensity; /g2 with one more axis) has its shape. `path` names the file in messages.
std::vector<hsize_t> result_hypercube_shape(hid_t file, const std::string& path);

// The number of rows of a (rows, columns) table, after checking that it is 2-D with
// `columns` columns and at least `min_rows` rows (columns = 0: a 1-D list of values).
std::size_t table_rows(hid_t file, const std::string& dataset, std::size_t columns, const std::string& path,
                       std::size_t min_rows = 1);

// "4 x 4 x 2 x 8": a shape in messages.
std::string shape_text(const std::vector<hsize_t>& dims);

}  // namespace ecm::io
