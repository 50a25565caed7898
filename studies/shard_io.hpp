#pragma once
/**
 * The bytes of a sharded run: a 64-bit content hash (inputs, plans, parts and results name
 * what they were made from) and a little-endian binary writer and reader for the files shards
 * hand to the merge. The reader checks every length against what is left, so a truncated or
 * damaged file is an InputError naming it, never a crash.
 */

#include <cstdint>
#include <cstring>
#include <functional>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include "core/error.hpp"

namespace lifecircle::studies {

/** A streaming 64-bit hash of bytes (not cryptographic: it tells versions apart). */
class Hasher {
public:
    void update(std::string_view bytes);
    std::uint64_t digest() const;

private:
    std::uint64_t m_state = 0x243F6A8885A308D3ull;
    std::uint64_t m_length = 0;
    unsigned char m_tail[8] = {};
    unsigned m_tail_size = 0;
};

/** The hash of some bytes. */
std::uint64_t hash_bytes(std::string_view bytes);
/** A hash as 16 hexadecimal digits. */
std::string hash_text(std::uint64_t hash);

/** What a file was when it was looked at: size, modification time and a hash of its content. */
struct FileStamp {
    std::string path;
    std::uint64_t size = 0;
    std::int64_t mtime_ns = 0;
    /** Of every byte for files up to 256 MiB; larger ones: of the size and 64 blocks of 64 KiB
        spread evenly through the file (a changed file almost always changes one of them). */
    std::uint64_t hash = 0;
};
/** Stamps a file; InputError naming it when it cannot be read. */
FileStamp stamp_file(const std::string& path);

/**
 * Appends little-endian values to a buffer, handing full blocks to `sink` when one is given (a
 * file of any size streams through a small buffer) and hashing everything written.
 */
class BinaryWriter {
public:
    BinaryWriter() = default;
    explicit BinaryWriter(std::function<void(std::string_view)> sink) : m_sink(std::move(sink)) {}

    template <class T>
    void put(T value) {
        static_assert(std::is_arithmetic_v<T>);
        char bytes[sizeof(T)];
        std::memcpy(bytes, &value, sizeof(T));
        raw({bytes, sizeof(T)});
    }
    void put_string(std::string_view s) {
        put<std::uint64_t>(s.size());
        raw(s);
    }
    template <class T>
    void put_vector(const std::vector<T>& v) {
        static_assert(std::is_arithmetic_v<T>);
        put<std::uint64_t>(v.size());
        raw({reinterpret_cast<const char*>(v.data()), v.size() * sizeof(T)});
    }
    void put_strings(const std::vector<std::string>& v) {
        put<std::uint64_t>(v.size());
        for (const std::string& s : v) put_string(s);
    }
    void raw(std::string_view bytes);
    /** Bytes written so far (the offset of the next one). */
    std::uint64_t offset() const { return m_offset; }
    /** The hash of everything written so far. */
    std::uint64_t hash() const { return m_hash.digest(); }
    /** Hands what is buffered to the sink. */
    void flush();
    /** The buffer (without a sink: everything written). */
    const std::string& buffer() const { return m_buffer; }

private:
    std::function<void(std::string_view)> m_sink;
    std::string m_buffer;
    std::uint64_t m_offset = 0;
    Hasher m_hash;
};

/** Reads what BinaryWriter wrote from bytes in memory; `what` names the file in errors. */
class BinaryReader {
public:
    BinaryReader(std::string_view bytes, std::string what) : m_bytes(bytes), m_what(std::move(what)) {}

    template <class T>
    T get() {
        static_assert(std::is_arithmetic_v<T>);
        T value;
        std::memcpy(&value, take(sizeof(T)).data(), sizeof(T));
        return value;
    }
    std::string get_string() { return std::string(take(count(1))); }
    template <class T>
    std::vector<T> get_vector() {
        const std::uint64_t n = count(sizeof(T));
        std::vector<T> v(n);
        if (n) std::memcpy(v.data(), take(n * sizeof(T)).data(), n * sizeof(T));
        return v;
    }
    std::vector<std::string> get_strings() {
        const std::uint64_t n = count(8);
        std::vector<std::string> v;
        v.reserve(n);
        for (std::uint64_t i = 0; i < n; ++i) v.push_back(get_string());
        return v;
    }
    /** A count of items of at least `item_bytes` each, checked against what is left. */
    std::uint64_t count(std::size_t item_bytes) {
        const auto n = get<std::uint64_t>();
        if (item_bytes > 0 && n > left() / item_bytes) damaged();
        return n;
    }
    std::string_view take(std::size_t n) {
        if (n > left()) damaged();
        const std::string_view out = m_bytes.substr(m_at, n);
        m_at += n;
        return out;
    }
    std::size_t left() const { return m_bytes.size() - m_at; }
    std::size_t at() const { return m_at; }
    /** Throws InputError: the file is truncated or damaged. */
    [[noreturn]] void damaged() const;

private:
    std::string_view m_bytes;
    std::size_t m_at = 0;
    std::string m_what;
};

/** Reads a whole file; InputError naming it when it cannot be read. */
std::string read_whole_file(const std::string& path);

}  // namespace lifecircle::studies
