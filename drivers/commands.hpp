#pragma once
// The subcommands of `ecm`. Each parses its own options (argv[0] is the subcommand name),
// builds a configuration, calls the library and returns the exit code. Errors are thrown
// as ecm::Error and reported by main (drivers/ecm.cpp).
#include <mpi.h>

int cmd_run(int argc, char** argv, MPI_Comm comm);
int cmd_simulate(int argc, char** argv, MPI_Comm comm);
int cmd_inspect(int argc, char** argv, MPI_Comm comm);
int cmd_stats(int argc, char** argv, MPI_Comm comm);
int cmd_ttcf(int argc, char** argv, MPI_Comm comm);
int cmd_design(int argc, char** argv, MPI_Comm comm);
int cmd_report(int argc, char** argv, MPI_Comm comm);
int cmd_convert(int argc, char** argv, MPI_Comm comm);
