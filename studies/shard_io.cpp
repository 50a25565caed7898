#include "studies/shard_io.hpp"

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <filesystem>
#include <fstream>

#include <sys/stat.h>

namespace lifecircle::studies {

namespace {

constexpr std::uint64_t k1 = 0x9E3779B97F4A7C15ull;
constexpr std::uint64_t k2 = 0xC2B2AE3D27D4EB4Full;

std::uint64_t mix(std::uint64_t h, std::uint64_t w) {
    h ^= w * k2;
    h = (h << 31) | (h >> 33);
    return h * k1;
}

std::uint64_t finish(std::uint64_t h) {
    h ^= h >> 33;
    h *= 0xFF51AFD7ED558CCDull;
    h ^= h >> 33;
    h *= 0xC4CEB9FE1A85EC53ull;
    h ^= h >> 33;
    return h;
}

}  // namespace

void Hasher::update(std::string_view bytes) {
    m_length += bytes.size();
    std::size_t i = 0;
    if (m_tail_size > 0) {
        const std::size_t take = std::min<std::size_t>(8 - m_tail_size, bytes.size());
        std::memcpy(m_tail + m_tail_size, bytes.data(), take);
        m_tail_size += static_cast<unsigned>(take);
        i = take;
        if (m_tail_size < 8) return;
        std::uint64_t w;
        std::memcpy(&w, m_tail, 8);
        m_state = mix(m_state, w);
        m_tail_size = 0;
    }
    for (; i + 8 <= bytes.size(); i += 8) {
        std::uint64_t w;
        std::memcpy(&w, bytes.data() + i, 8);
        m_state = mix(m_state, w);
    }
    const std::size_t rest = bytes.size() - i;
    if (rest > 0) std::memcpy(m_tail, bytes.data() + i, rest);
    m_tail_size = static_cast<unsigned>(rest);
}

std::uint64_t Hasher::digest() const {
    std::uint64_t h = m_state;
    std::uint64_t w = 0;
    std::memcpy(&w, m_tail, m_tail_size);
    h = mix(h, w ^ (static_cast<std::uint64_t>(m_tail_size) << 56));
    return finish(h ^ m_length);
}

std::uint64_t hash_bytes(std::string_view bytes) {
    Hasher h;
    h.update(bytes);
    return h.digest();
}

std::string hash_text(std::uint64_t hash) {
    char buf[17];
    std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(hash));
    return buf;
}

FileStamp stamp_file(const std::string& path) {
    FileStamp s;
    s.path = path;
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0)
        throw InputError(std::string("cannot read the file: ") + std::strerror(errno)).set_file(path);
    s.size = static_cast<std::uint64_t>(st.st_size);
    s.mtime_ns = static_cast<std::int64_t>(st.st_mtim.tv_sec) * 1000000000LL + st.st_mtim.tv_nsec;
    std::ifstream in(path, std::ios::binary);
    if (!in) throw InputError(std::string("cannot open the file: ") + std::strerror(errno)).set_file(path);
    Hasher h;
    std::string block;
    constexpr std::uint64_t whole_limit = 256ull << 20;
    if (s.size <= whole_limit) {
        block.resize(1 << 20);
        while (in) {
            in.read(block.data(), static_cast<std::streamsize>(block.size()));
            h.update(std::string_view(block.data(), static_cast<std::size_t>(in.gcount())));
        }
    } else {
        constexpr std::uint64_t blocks = 64, size = 64 << 10;
        block.resize(size);
        h.update(std::string_view(reinterpret_cast<const char*>(&s.size), sizeof s.size));
        for (std::uint64_t k = 0; k < blocks; ++k) {
            const std::uint64_t at = (s.size - size) / (blocks - 1) * k;
            in.seekg(static_cast<std::streamoff>(at));
            in.read(block.data(), static_cast<std::streamsize>(size));
            h.update(std::string_view(block.data(), static_cast<std::size_t>(in.gcount())));
        }
    }
    if (in.bad()) throw InputError("cannot read the file (an I/O error)").set_file(path);
    s.hash = h.digest();
    return s;
}

void BinaryWriter::raw(std::string_view bytes) {
    m_hash.update(bytes);
    m_offset += bytes.size();
    m_buffer.append(bytes);
    if (m_sink && m_buffer.size() >= (4u << 20)) flush();
}

void BinaryWriter::flush() {
    if (!m_sink || m_buffer.empty()) return;
    m_sink(m_buffer);
    m_buffer.clear();
}

void BinaryReader::damaged() const {
    throw InputError("the file is truncated or damaged (it ends early or holds a length that does not fit); "
                     "run the step that wrote it again")
        .set_file(m_what);
}

std::string read_whole_file(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw InputError(std::string("cannot open the file: ") + std::strerror(errno)).set_file(path);
    std::string out;
    in.seekg(0, std::ios::end);
    const std::streamoff size = in.tellg();
    in.seekg(0);
    if (size > 0) {
        out.resize(static_cast<std::size_t>(size));
        in.read(out.data(), size);
    }
    if (!in) throw InputError("cannot read the file (an I/O error)").set_file(path);
    return out;
}

}  // namespace lifecircle::studies
