#pragma once
// Errors in ecm are exceptions carrying enough context to be shown to a user as
// one line. Drivers turn them into a message and a non-zero exit on every rank.
#include <stdexcept>
#include <string>

namespace ecm {

// Base of every ecm error: a message meant for the user.
class Error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// The user asked for something impossible (bad option, bad input file layout).
class InputError : public Error {
 public:
  using Error::Error;
};

// An HDF5 call failed; the message names the call and the object.
class Hdf5Error : public Error {
 public:
  using Error::Error;
};

// An MPI call failed.
class MpiError : public Error {
 public:
  using Error::Error;
};

// Thrown on ranks that did not fail themselves when another rank did (see
// mpi::agree_or_throw); the failing rank reports the cause, these stay quiet.
class PeerFailure : public Error {
 public:
  using Error::Error;
};

// A run that stopped on request (SIGTERM/SIGUSR1, core/interrupt.hpp) after saving its work:
// its checkpoint stays for a resume. `ecm` exits 75 on it.
class Interrupted : public Error {
 public:
  using Error::Error;
};

// Throw InputError unless the condition holds.
inline void require(bool condition, const std::string& message) {
  if (!condition) throw InputError(message);
}

}  // namespace ecm
