#pragma once
/** XML escaping shared by the QGIS styles, the QGIS project and the report. */

#include <string>
#include <string_view>

namespace lifecircle::maps {

/**
 * Appends UTF-8 text escaped for XML: & < > always; quotes as &quot; and &apos; unless
 * `keep_quotes` (element content, as QGIS writes it). Bytes that are not valid UTF-8 become
 * U+FFFD and control characters XML forbids are dropped, so the document always parses.
 */
void append_xml(std::string& out, std::string_view text, bool keep_quotes = false);
/** Text for an attribute value (quotes escaped). */
std::string xml_escape(std::string_view text);
/** Text for element content (quotes kept). */
std::string xml_text(std::string_view text);

}  // namespace lifecircle::maps
