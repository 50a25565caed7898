#include "io/gdal_common.hpp"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <string_view>
#include <utility>

#include <cpl_error.h>
#include <gdal.h>
#include <gdal_priv.h>
#include <ogr_spatialref.h>

#include "io/text_format.hpp"

namespace lifecircle::io::detail {

void register_gdal() {
    static std::once_flag once;
    std::call_once(once, [] { GDALAllRegister(); });
}

struct GdalMessages::Handler {
    static void CPL_STDCALL handle(CPLErr level, CPLErrorNum /*number*/, const char* message) {
        auto* self = static_cast<GdalMessages*>(CPLGetErrorHandlerUserData());
        if (self == nullptr || message == nullptr) return;
        if (level == CE_Warning) {
            constexpr std::size_t max_warnings = 20;
            const std::string text = std::string("GDAL: ") + message;
            if (self->m_warnings.size() < max_warnings &&
                std::find(self->m_warnings.begin(), self->m_warnings.end(), text) ==
                    self->m_warnings.end()) {
                self->m_warnings.push_back(text);
            }
        } else if (level == CE_Failure || level == CE_Fatal) {
            self->m_last_error = message;
        }
    }
};

GdalMessages::GdalMessages() {
    CPLErrorReset();
    CPLPushErrorHandlerEx(&Handler::handle, this);
}

GdalMessages::~GdalMessages() { CPLPopErrorHandler(); }

std::string GdalMessages::take_last() noexcept { return std::exchange(m_last_error, {}); }

std::string GdalMessages::explain(const std::string& what) const {
    return m_last_error.empty() ? what : what + ": " + m_last_error;
}

std::optional<std::string> shapefile_encoding(const std::string& path) {
    const std::filesystem::path file(path);
    const std::string extension = ascii_lower(file.extension().string());
    if (extension != ".shp" && extension != ".dbf") return std::nullopt;
    for (const char* cpg_extension : {".cpg", ".CPG"}) {
        std::filesystem::path cpg = file;
        cpg.replace_extension(cpg_extension);
        std::ifstream in(cpg);
        if (!in) continue;
        std::string line;
        std::getline(in, line);
        std::string value = ascii_lower(trim(line));
        if (value.rfind("ansi ", 0) == 0) value.erase(0, 5);
        if (value == "gb18030" || value == "54936") return "GB18030";
        if (value == "gbk" || value == "cp936" || value == "936" || value == "gb2312" ||
            value == "euc-cn" || value == "ms936" || value == "windows-936") {
            return "GBK";  // a superset of GB2312; CP936 is Microsoft's name for it
        }
        return std::nullopt;
    }
    return std::nullopt;
}

namespace {

/** Whether the bytes are valid UTF-8 (no overlong forms checked: only a guess is made). */
bool valid_utf8(std::string_view bytes) {
    for (std::size_t i = 0; i < bytes.size();) {
        const auto c = static_cast<unsigned char>(bytes[i]);
        std::size_t length = 1;
        if (c >= 0xF0 && c <= 0xF4) {
            length = 4;
        } else if (c >= 0xE0) {
            length = 3;
        } else if (c >= 0xC2 && c <= 0xDF) {
            length = 2;
        } else if (c >= 0x80) {
            return false;
        }
        if (i + length > bytes.size()) return true;  // cut off in the middle of a character
        for (std::size_t k = 1; k < length; ++k) {
            if ((static_cast<unsigned char>(bytes[i + k]) & 0xC0) != 0x80) return false;
        }
        i += length;
    }
    return true;
}

/** Whether the bytes are valid GBK: lead bytes 0x81-0xFE, trail bytes 0x40-0xFE but 0x7F. */
bool valid_gbk(std::string_view bytes) {
    for (std::size_t i = 0; i < bytes.size();) {
        const auto c = static_cast<unsigned char>(bytes[i]);
        if (c < 0x80) {
            ++i;
            continue;
        }
        if (c == 0x80 || c == 0xFF) return false;
        if (i + 1 >= bytes.size()) return true;  // cut off in the middle of a character
        const auto t = static_cast<unsigned char>(bytes[i + 1]);
        if (t < 0x40 || t == 0x7F || t == 0xFF) return false;
        i += 2;
    }
    return true;
}

}  // namespace

std::optional<std::string> guess_dbf_encoding(const std::string& path) {
    std::filesystem::path file(path);
    const std::string extension = ascii_lower(file.extension().string());
    if (extension != ".shp" && extension != ".dbf") return std::nullopt;
    for (const char* cpg_extension : {".cpg", ".CPG"}) {
        std::filesystem::path cpg = file;
        cpg.replace_extension(cpg_extension);
        std::error_code ec;
        if (std::filesystem::exists(cpg, ec)) return std::nullopt;  // the .cpg decides
    }
    std::ifstream in;
    for (const char* dbf_extension : {".dbf", ".DBF"}) {
        file.replace_extension(dbf_extension);
        in.open(file, std::ios::binary);
        if (in) break;
        in.clear();
    }
    if (!in) return std::nullopt;
    constexpr std::size_t sample = 1 << 16;  // the header and the first records
    std::string bytes(sample, '\0');
    in.read(bytes.data(), static_cast<std::streamsize>(sample));
    bytes.resize(static_cast<std::size_t>(in.gcount()));
    if (bytes.size() < 32) return std::nullopt;
    if (bytes[29] != 0) return std::nullopt;  // a language driver id: GDAL uses it
    // Field names (11 bytes at the start of each 32-byte descriptor) and record bytes.
    std::string text;
    std::size_t pos = 32;
    for (; pos + 32 <= bytes.size() && bytes[pos] != '\x0d'; pos += 32) {
        const std::string_view name(bytes.data() + pos, 11);
        text.append(name.substr(0, std::min(name.find('\0'), name.size())));
        text += ' ';
    }
    if (pos < bytes.size()) text.append(bytes, pos + 1, std::string::npos);
    const bool ascii = std::all_of(text.begin(), text.end(),
                                   [](char c) { return static_cast<unsigned char>(c) < 0x80; });
    if (ascii) return std::nullopt;
    if (valid_utf8(text)) return "UTF-8";
    if (valid_gbk(text)) return "GBK";
    return std::nullopt;
}

std::optional<std::string> dbf_open_encoding(const std::string& path, bool& guessed) {
    guessed = false;
    if (auto encoding = shapefile_encoding(path)) return encoding;
    auto encoding = guess_dbf_encoding(path);
    guessed = encoding.has_value();
    return encoding;
}

bool is_plain_file_path(const std::string& path) {
    if (path.rfind("/vsi", 0) == 0) return false;
    const auto colon = path.find(':');
    // "PG:...", "GPKG:file.gpkg:layer"; a drive letter ("C:\...") is one character long.
    return colon == std::string::npos || colon == 1;
}

void DatasetCloser::operator()(GDALDataset* dataset) const noexcept {
    GDALClose(GDALDataset::ToHandle(dataset));
}

void TransformDeleter::operator()(OGRCoordinateTransformation* transform) const noexcept {
    OGRCoordinateTransformation::DestroyCT(transform);
}

}  // namespace lifecircle::io::detail
