#include "finex/codec/parquet/detail/compression.h"

#include <snappy.h>
#include <zlib.h>
#include <zstd.h>

#include <cstring>
#include <memory>
#include <string>

#include "finex/codec/parquet/detail/format.h"
#include "finex/core/status.h"

namespace finex::codec::pq {

namespace {

struct ZstdCCtxDeleter {
  void operator()(ZSTD_CCtx* c) const { ZSTD_freeCCtx(c); }
};
struct ZstdDCtxDeleter {
  void operator()(ZSTD_DCtx* c) const { ZSTD_freeDCtx(c); }
};

ZSTD_CCtx* ThreadCCtx() {
  thread_local std::unique_ptr<ZSTD_CCtx, ZstdCCtxDeleter> ctx(ZSTD_createCCtx());
  return ctx.get();
}
ZSTD_DCtx* ThreadDCtx() {
  thread_local std::unique_ptr<ZSTD_DCtx, ZstdDCtxDeleter> ctx(ZSTD_createDCtx());
  return ctx.get();
}

Status GzipCompress(int level, std::string_view in, std::string* out) {
  z_stream zs{};
  if (deflateInit2(&zs, level, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK) {
    return InternalError("gzip: deflateInit2 failed");
  }
  const size_t base = out->size();
  out->resize(base + deflateBound(&zs, in.size()) + 32);
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
  zs.avail_in = static_cast<uInt>(in.size());
  zs.next_out = reinterpret_cast<Bytef*>(out->data() + base);
  zs.avail_out = static_cast<uInt>(out->size() - base);
  const int rc = deflate(&zs, Z_FINISH);
  const size_t produced = zs.total_out;
  deflateEnd(&zs);
  if (rc != Z_STREAM_END) return InternalError("gzip: deflate failed");
  out->resize(base + produced);
  return OkStatus();
}

Status GzipDecompress(std::string_view in, char* out, size_t size) {
  z_stream zs{};
  // 15 + 32: accept gzip or zlib headers.
  if (inflateInit2(&zs, 15 + 32) != Z_OK) return InternalError("gzip: inflateInit2 failed");
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
  zs.avail_in = static_cast<uInt>(in.size());
  zs.next_out = reinterpret_cast<Bytef*>(out);
  zs.avail_out = static_cast<uInt>(size);
  int rc = inflate(&zs, Z_FINISH);
  // Concatenated gzip members are legal; keep inflating while input remains.
  while (rc == Z_STREAM_END && zs.avail_in > 0 && zs.avail_out > 0) {
    if (inflateReset(&zs) != Z_OK) break;
    rc = inflate(&zs, Z_FINISH);
  }
  const size_t produced = zs.total_out;
  const bool left_over = zs.avail_in > 0;
  inflateEnd(&zs);
  if (rc == Z_STREAM_END && produced == size && !left_over) return OkStatus();
  if (rc == Z_STREAM_END && produced == size) {
    // Trailing garbage after the last member.
    return DataLossError("gzip page has trailing bytes");
  }
  return DataLossError("gzip page does not decompress to its declared size");
}

}  // namespace

Status Compress(int32_t codec, int level, std::string_view in, std::string* out) {
  switch (codec) {
    case kUncompressed:
      out->append(in.data(), in.size());
      return OkStatus();
    case kSnappy: {
      const size_t base = out->size();
      out->resize(base + snappy::MaxCompressedLength(in.size()));
      size_t len = 0;
      snappy::RawCompress(in.data(), in.size(), out->data() + base, &len);
      out->resize(base + len);
      return OkStatus();
    }
    case kZstd: {
      const size_t base = out->size();
      out->resize(base + ZSTD_compressBound(in.size()));
      const size_t r = ZSTD_compressCCtx(ThreadCCtx(), out->data() + base, out->size() - base,
                                         in.data(), in.size(), level);
      if (ZSTD_isError(r)) return InternalError(std::string("zstd: ") + ZSTD_getErrorName(r));
      out->resize(base + r);
      return OkStatus();
    }
    case kGzip:
      return GzipCompress(level, in, out);
  }
  return UnimplementedError("parquet compression " + CodecName(codec) +
                            " is not supported for writing");
}

Status Decompress(int32_t codec, std::string_view in, char* out, size_t size) {
  switch (codec) {
    case kUncompressed:
      if (in.size() != size)
        return DataLossError("uncompressed page size does not match its header");
      if (size) std::memcpy(out, in.data(), size);
      return OkStatus();
    case kSnappy: {
      size_t len = 0;
      if (!snappy::GetUncompressedLength(in.data(), in.size(), &len) || len != size) {
        return DataLossError("snappy page does not decompress to its declared size");
      }
      if (!snappy::RawUncompress(in.data(), in.size(), out))
        return DataLossError("corrupt snappy page");
      return OkStatus();
    }
    case kZstd: {
      const size_t r = ZSTD_decompressDCtx(ThreadDCtx(), out, size, in.data(), in.size());
      if (ZSTD_isError(r))
        return DataLossError(std::string("corrupt zstd page: ") + ZSTD_getErrorName(r));
      if (r != size) return DataLossError("zstd page does not decompress to its declared size");
      return OkStatus();
    }
    case kGzip:
      return GzipDecompress(in, out, size);
  }
  return UnimplementedError("parquet compression " + CodecName(codec) +
                            " is not supported (finex reads "
                            "UNCOMPRESSED, SNAPPY, GZIP, ZSTD)");
}

int32_t PageCrc(std::string_view a, std::string_view b) {
  uLong c = crc32(0L, Z_NULL, 0);
  c = crc32(c, reinterpret_cast<const Bytef*>(a.data()), static_cast<uInt>(a.size()));
  if (!b.empty())
    c = crc32(c, reinterpret_cast<const Bytef*>(b.data()), static_cast<uInt>(b.size()));
  return static_cast<int32_t>(static_cast<uint32_t>(c));
}

}  // namespace finex::codec::pq
