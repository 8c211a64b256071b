// libFuzzer target for finex's Parquet reader (fuzz/run.sh builds and runs it).
//
// Every input is decoded twice: with the default options (envelope and page
// CRCs verified) and with verification off, so mutated bytes reach the page,
// encoding and decompression code instead of stopping at a checksum. The
// reader must never crash, hang or allocate without bound; when it accepts an
// input, re-encoding the frame and decoding again must give the same frame
// and metadata (decode is a function of the data it accepted).
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "finex/codec/parquet/parquet_codec.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using finex::codec::DecodeParquet;
  using finex::codec::EncodeParquet;
  using finex::codec::ParquetOptions;
  const std::string_view in(reinterpret_cast<const char*>(data), size);

  auto strict = DecodeParquet(in);
  ParquetOptions lax;
  lax.verify_checksums = false;
  auto loose = DecodeParquet(in, lax);
  if (strict.ok() && !loose.ok()) std::abort();  // verification only removes inputs
  if (!loose.ok()) return 0;

  // Accepted: the frame must survive a round trip unchanged.
  auto bytes = EncodeParquet(*loose->frame, loose->metadata);
  if (!bytes.ok()) {
    // Only reserved keys or out-of-range timestamps can make encoding fail,
    // and the reader strips the former; the latter come from foreign files.
    return 0;
  }
  auto again = DecodeParquet(*bytes);
  if (!again.ok() || !again->frame->Equals(*loose->frame) || again->metadata != loose->metadata)
    std::abort();
  return 0;
}
