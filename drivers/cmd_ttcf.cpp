// `ecm ttcf`: placeholder while the command is being built (issue 5).
#include "commands.hpp"
#include "ecm/core/error.hpp"

int cmd_ttcf(int, char**, MPI_Comm) { throw ecm::InputError("ecm ttcf is not available yet"); }
