#include "frontend/error.h"

namespace kiln {

void throw_if_error(const Status& status, const std::string& context) {
  if (status.ok()) return;
  throw Error(context.empty() ? status.message() : context + ": " + status.message());
}

}  // namespace kiln
