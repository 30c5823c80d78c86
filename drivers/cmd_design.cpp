// `ecm design`: placeholder while the command is being built (issue 5).
#include "commands.hpp"
#include "ecm/core/error.hpp"

int cmd_design(int, char**, MPI_Comm) { throw ecm::InputError("ecm design is not available yet"); }
