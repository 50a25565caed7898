#pragma once
/**
 * Callbacks that talk on a terminal: notes and warnings as "lifecircle: note: ..." lines on
 * stderr, each long phase as a progress bar redrawn on a terminal, or (off a terminal, when asked)
 * one line per tenth. The command line uses them; so may any C++ program that runs a study.
 */

#include <cstdio>
#include <string>
#include <vector>

#include "studies/callbacks.hpp"

namespace lifecircle::studies {

/** How the console prints. */
struct ConsoleOptions {
    bool quiet = false;           ///< no notes, warnings or progress (errors still print)
    bool progress_lines = false;  ///< off a terminal: a line per 10% of each phase
};

/** Sets how the process's console prints (one console per process). */
void set_console(const ConsoleOptions& options);

/** Callbacks printing on the console; progress bars never glue onto messages. */
Reporter console_reporter();

/** Prints one line on stderr ("lifecircle: ..." is the caller's); `always` prints even when quiet. */
void console_line(const std::string& text, bool always = false);

/** Where a verb's report (tables, figures) is printed: stdout, or stderr while the verb's result
    itself goes to stdout (--out -), so that the result stays a valid file. */
std::FILE* console_stream();
void set_console_stream(std::FILE* stream);

/** Columns printed aligned by display width (a CJK character counts 2), first column left. */
class ConsoleTable {
public:
    explicit ConsoleTable(std::vector<std::string> header) { m_rows.push_back(std::move(header)); }
    void add(std::vector<std::string> row) { m_rows.push_back(std::move(row)); }
    /** Prints the table on console_stream(). */
    void print() const;

private:
    std::vector<std::vector<std::string>> m_rows;
};

/** `v` with `decimals` decimals, or "-" when it is not finite. */
std::string fixed(double v, int decimals);
/** `100 * part / total` with one decimal and "%", or "-" when total is not positive. */
std::string percent(double part, double total);

/** Display width of UTF-8 text on a terminal: East Asian wide and full-width characters count 2. */
std::size_t display_width(const std::string& text);

}  // namespace lifecircle::studies
