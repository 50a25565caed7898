#include "studies/console.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <iostream>
#include <map>
#include <mutex>

#include <unistd.h>

namespace lifecircle::studies {

namespace {

/** One console: the progress line's state is shared so that messages never glue onto it. */
struct Console {
    std::mutex mutex;
    ConsoleOptions options;
    bool line_open = false;                         // a progress bar is drawn without its newline
    std::map<std::string, std::size_t> last_tenth;  // per phase, the last tenth printed
    std::map<std::string, std::size_t> last_done;   // per phase, the last count (a smaller one: a new round)
};

Console& console() {
    static Console c;
    return c;
}

void close_line(Console& c) {
    if (c.line_open) std::cerr << "\n";
    c.line_open = false;
}

/** Draws a phase's progress: a bar redrawn on a terminal, a line per tenth when asked. */
void draw_progress(const std::string& phase, std::size_t done, std::size_t total) {
    Console& c = console();
    std::lock_guard lock(c.mutex);
    if (c.options.quiet || total == 0) return;
    if (::isatty(2)) {
        const std::size_t width = 30, filled = width * std::min(done, total) / total;
        std::cerr << "\r" << phase << " [" << std::string(filled, '#') << std::string(width - filled, ' ') << "] "
                  << done << "/" << total << std::flush;
        c.line_open = done < total;
        if (done >= total) std::cerr << "\n";
        return;
    }
    if (!c.options.progress_lines) return;
    const std::size_t tenth = 10 * std::min(done, total) / total;
    auto& seen = c.last_done[phase];
    if (done < seen) c.last_tenth.erase(phase);  // the phase runs again (a round of a search)
    seen = done;
    auto [it, fresh] = c.last_tenth.try_emplace(phase, 0);
    if (!fresh && tenth <= it->second) return;
    it->second = tenth;
    std::cerr << "lifecircle: " << phase << ": " << 10 * tenth << "% (" << done << "/" << total << ")\n" << std::flush;
}

}  // namespace

void set_console(const ConsoleOptions& options) {
    Console& c = console();
    std::lock_guard lock(c.mutex);
    c.options = options;
}

void console_line(const std::string& text, bool always) {
    Console& c = console();
    std::lock_guard lock(c.mutex);
    if (c.options.quiet && !always) return;
    close_line(c);
    std::cerr << text << "\n" << std::flush;
}

Reporter console_reporter() {
    Callbacks cb;
    cb.progress = draw_progress;
    cb.notice = [](const Notice& n) {
        console_line(n.level == Notice::Level::warning ? "lifecircle: warning: " + n.text : "lifecircle: note: " + n.text);
    };
    return Reporter(std::move(cb));
}

std::string fixed(double v, int decimals) {
    if (!std::isfinite(v)) return "-";
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.*f", decimals, v);
    return buf;
}

std::string percent(double part, double total) {
    if (!(total > 0) || !std::isfinite(part)) return "-";
    return fixed(100.0 * part / total, 1) + "%";
}

std::size_t display_width(const std::string& s) {
    std::size_t width = 0;
    for (std::size_t i = 0; i < s.size();) {
        const auto c = static_cast<unsigned char>(s[i]);
        const std::size_t len = c < 0x80 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
        char32_t cp = len == 1 ? c : len == 2 ? (c & 0x1F) : len == 3 ? (c & 0x0F) : (c & 0x07);
        for (std::size_t k = 1; k < len && i + k < s.size(); ++k) cp = (cp << 6) | (s[i + k] & 0x3F);
        i += len;
        // Wide: Hangul Jamo, CJK radicals to Yi, Hangul, CJK compatibility, full-width forms, CJK Ext B+.
        const bool wide = (cp >= 0x1100 && cp <= 0x115F) || (cp >= 0x2E80 && cp <= 0xA4CF && cp != 0x303F) ||
                          (cp >= 0xAC00 && cp <= 0xD7A3) || (cp >= 0xF900 && cp <= 0xFAFF) ||
                          (cp >= 0xFE30 && cp <= 0xFE4F) || (cp >= 0xFF00 && cp <= 0xFF60) ||
                          (cp >= 0xFFE0 && cp <= 0xFFE6) || (cp >= 0x20000 && cp <= 0x3FFFD);
        width += wide ? 2 : 1;
    }
    return width;
}

namespace {
std::FILE* g_console = nullptr;  // stdout unless set
}  // namespace

std::FILE* console_stream() {
    return g_console ? g_console : stdout;
}

void set_console_stream(std::FILE* stream) {
    g_console = stream;
}

void ConsoleTable::print() const {
    std::vector<std::size_t> widths;
    for (const auto& row : m_rows)
        for (std::size_t c = 0; c < row.size(); ++c) {
            if (widths.size() <= c) widths.push_back(0);
            widths[c] = std::max(widths[c], display_width(row[c]));
        }
    for (const auto& row : m_rows) {
        std::string line;
        for (std::size_t c = 0; c < row.size(); ++c) {
            const std::string pad(widths[c] - display_width(row[c]), ' ');
            line += c == 0 ? row[c] + pad : "  " + pad + row[c];
        }
        while (!line.empty() && line.back() == ' ') line.pop_back();
        std::fprintf(console_stream(), "%s\n", line.c_str());
    }
}

}  // namespace lifecircle::studies
