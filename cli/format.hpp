#pragma once
/** Number and table formatting for the verbs' console output. */

#include <string>
#include <vector>

namespace lifecircle::cli {

/** `v` with `decimals` decimals, or "-" when it is not finite. */
std::string fixed(double v, int decimals);
/** `100 * part / total` with one decimal and "%", or "-" when total is not positive. */
std::string percent(double part, double total);

/** Columns printed aligned by display width (a CJK character counts 2), first column left. */
class ConsoleTable {
public:
    explicit ConsoleTable(std::vector<std::string> header) { m_rows.push_back(std::move(header)); }
    void add(std::vector<std::string> row) { m_rows.push_back(std::move(row)); }
    /** Prints the table on stdout. */
    void print() const;

private:
    std::vector<std::vector<std::string>> m_rows;
};

/** Display width of UTF-8 text on a terminal: East Asian wide and full-width characters count 2. */
std::size_t display_width(const std::string& text);

}  // namespace lifecircle::cli
