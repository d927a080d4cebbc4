// SPDX-License-Identifier: MIT
#include <toa/toa.hpp>

namespace toa {
const char *version() noexcept
{
	return TOA_VERSION_STRING;
}
} // namespace toa
