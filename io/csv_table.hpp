#pragma once
/**
 * A small, fast reader of delimited text tables (CSV) for the plain-table inputs of io/ that do
 * not need GDAL (origin-destination matrices, weights): header required, delimiter detected
 * from the header line (comma, semicolon or tab), UTF-8 BOM skipped, RFC 4180 quotes ("a,b",
 * "say ""hi""") within one line, CRLF or LF line ends, empty lines skipped. The file is read in
 * blocks, never whole, so tables of tens of millions of lines stream in constant memory.
 */

#include <cstddef>
#include <cstdio>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace lifecircle::io::detail {

class CsvReader {
public:
    /**
     * Opens `path` and reads its header line. InputError (naming the file) for a missing or
     * unreadable file or one without a header line.
     */
    explicit CsvReader(const std::string& path);
    CsvReader(const CsvReader&) = delete;
    CsvReader& operator=(const CsvReader&) = delete;
    ~CsvReader();

    /** The header's column names, trimmed, as written (not lower-cased). */
    const std::vector<std::string>& header() const { return m_header; }
    /** The header as a message shows it: "a, b, c". */
    std::string header_text() const;
    /** Index of the column named `name` (ASCII case-insensitive, trimmed), or -1. */
    int column(std::string_view name) const;
    /** The delimiter in use: ',', ';' or '\t'. */
    char delimiter() const { return m_delimiter; }

    /**
     * The next non-empty record: its fields, trimmed and unquoted, valid until the next call.
     * False at the end of the file. InputError (naming file and line) for an unclosed quote.
     */
    bool next(std::vector<std::string_view>& fields);
    /** 1-based line number of the record next() returned last (the header is line 1). */
    std::size_t line() const { return m_line; }
    const std::string& path() const { return m_path; }

private:
    bool next_line(char*& begin, char*& end);
    void split(char* begin, char* end, std::vector<std::string_view>& fields);

    std::string m_path;
    std::FILE* m_file = nullptr;
    std::vector<char> m_buffer;
    std::size_t m_begin = 0;  ///< start of unread bytes in m_buffer
    std::size_t m_end = 0;    ///< end of valid bytes in m_buffer
    bool m_eof = false;
    std::size_t m_line = 0;  ///< line number of the last line returned by next_line
    std::vector<std::string> m_header;
    char m_delimiter = ',';
};

/**
 * Parses a whole trimmed field as a double (from_chars: the same in every locale; a leading
 * '+' is allowed). False for anything else; then `out_of_range` (if given) tells whether the
 * text is a number too large or too small for a double.
 */
bool parse_double(std::string_view text, double& value, bool* out_of_range = nullptr);

}  // namespace lifecircle::io::detail
