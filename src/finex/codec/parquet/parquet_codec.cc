#include "finex/codec/parquet/parquet_codec.h"

#include <memory>
#include <string>

namespace finex::codec {

std::string_view ParquetCompressionName(ParquetCompression c) {
  switch (c) {
    case ParquetCompression::kNone:
      return "none";
    case ParquetCompression::kSnappy:
      return "snappy";
    case ParquetCompression::kZstd:
      return "zstd";
    case ParquetCompression::kGzip:
      return "gzip";
  }
  return "unknown";
}

Result<ParquetCompression> ParseParquetCompression(std::string_view name) {
  for (ParquetCompression c : {ParquetCompression::kNone, ParquetCompression::kSnappy,
                               ParquetCompression::kZstd, ParquetCompression::kGzip}) {
    if (name == ParquetCompressionName(c)) return c;
  }
  return InvalidArgumentError("parquet compression '" + std::string(name.substr(0, 32)) +
                              "' is not one of none snappy zstd gzip")
      .WithParam("compression");
}

namespace {

class ParquetCodec final : public FrameCodec {
 public:
  explicit ParquetCodec(const ParquetOptions& o) : options_(o) {}
  std::string_view name() const override { return "parquet"; }
  Result<Bytes> Encode(const Frame& frame, const KeyValueMetadata& metadata) const override {
    return EncodeParquet(frame, metadata, options_);
  }
  Result<DecodedFrame> Decode(ByteView bytes) const override {
    return DecodeParquet(bytes, options_);
  }

 private:
  const ParquetOptions options_;
};

}  // namespace

std::unique_ptr<FrameCodec> NewParquetCodec(const ParquetOptions& options) {
  return std::make_unique<ParquetCodec>(options);
}

}  // namespace finex::codec
