// Byte buffers passed between codec/ and backend/: backends store opaque
// bytes and never see a Frame.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace finex {

// Owned bytes. std::string for cheap interop with clients (hiredis, libpq,
// Beast bodies); may contain NULs.
using Bytes = std::string;
// A borrowed view; valid while the owner lives.
using ByteView = std::string_view;

}  // namespace finex
