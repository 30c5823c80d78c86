// `ecm report`: placeholder while the command is being built (issue 5).
#include "commands.hpp"
#include "ecm/core/error.hpp"

int cmd_report(int, char**, MPI_Comm) { throw ecm::InputError("ecm report is not available yet"); }
