// FrameCodec: frames to bytes and back. The one implementation is Parquet
// (parquet/), used by every serializing backend and by format=parquet
// answers. Key-value metadata travels with the frame (fragment metadata:
// requested/actual range, fetched-at, finality, schema version...).
//
// Decoding is total: any byte string yields a frame or a DataLoss /
// InvalidArgument / Unimplemented status — never a crash, a hang or a huge
// allocation, and never different data returned as OK.
//
// Thread-safety: codecs are stateless; methods are thread-safe.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "finex/core/bytes.h"
#include "finex/core/frame.h"
#include "finex/core/status.h"

namespace finex::codec {

using KeyValueMetadata = std::vector<std::pair<std::string, std::string>>;

struct DecodedFrame {
  FramePtr frame;
  KeyValueMetadata metadata;  // finex's own entries and any others found
  // The value for `key`, "" if absent.
  std::string_view Meta(std::string_view key) const {
    for (const auto& [k, v] : metadata)
      if (k == key) return v;
    return {};
  }
};

class FrameCodec {
 public:
  virtual ~FrameCodec() = default;
  virtual std::string_view name() const = 0;
  virtual Result<Bytes> Encode(const Frame& frame, const KeyValueMetadata& metadata) const = 0;
  virtual Result<DecodedFrame> Decode(ByteView bytes) const = 0;
};

}  // namespace finex::codec
