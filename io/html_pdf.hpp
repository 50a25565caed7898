#pragma once
/**
 * HTML to PDF with headless Chromium (`plan --pdf`): the report printed on A4 with its print
 * style sheet, offline (no name resolution, a dead proxy), in a throw-away browser profile. The
 * PDF's creation and modification dates are fixed, so a rerun writes the same bytes.
 */

#include <string>

namespace lifecircle::io {

/**
 * The headless browser: $LIFECIRCLE_CHROMIUM when set, else chromium, chromium-browser or
 * google-chrome on PATH; empty when there is none.
 */
std::string find_chromium();

/** Throws UsageError naming `option` and the Debian package when find_chromium() finds none. */
void require_chromium(const std::string& option);

/**
 * Prints `html_path` to `pdf_path` (A4, no header or footer). Throws UsageError naming `option`
 * and the Debian package (chromium) when no browser is installed, OutputError naming the file
 * with the browser's last words when printing fails or takes over `timeout_s` seconds.
 */
void print_pdf(const std::string& html_path, const std::string& pdf_path,
               const std::string& option = "--pdf", double timeout_s = 180.0);

}  // namespace lifecircle::io
