#include "io/gdal_common.hpp"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <mutex>
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
