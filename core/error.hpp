#pragma once
/** Exceptions for bad input and failed output, carrying where the problem is. */

#include <stdexcept>
#include <string>

namespace lifecircle {

/**
 * Base of every error lifecircle reports to a user. The message names the file, layer and
 * feature when they are known; context is added while the exception unwinds (set_file etc.).
 */
class Error : public std::runtime_error {
public:
    explicit Error(std::string problem) : std::runtime_error(problem), m_problem(std::move(problem)) {}

    /** Names the file the problem is in, unless a deeper frame already did. */
    Error& set_file(const std::string& file) {
        if (m_file.empty()) m_file = file;
        rebuild();
        return *this;
    }
    /** Names the layer the problem is in, unless a deeper frame already did. */
    Error& set_layer(const std::string& layer) {
        if (m_layer.empty()) m_layer = layer;
        rebuild();
        return *this;
    }
    /** Names the feature (by its id in the user's data) the problem is in. */
    Error& set_feature(const std::string& feature) {
        if (m_feature.empty()) m_feature = feature;
        rebuild();
        return *this;
    }
    const std::string& file() const noexcept { return m_file; }
    const std::string& layer() const noexcept { return m_layer; }
    const std::string& feature() const noexcept { return m_feature; }
    const std::string& problem() const noexcept { return m_problem; }
    const char* what() const noexcept override { return m_what.empty() ? m_problem.c_str() : m_what.c_str(); }

private:
    void rebuild() {
        m_what.clear();
        if (!m_file.empty()) m_what += m_file;
        if (!m_layer.empty()) m_what += (m_what.empty() ? "layer '" : ", layer '") + m_layer + "'";
        if (!m_feature.empty()) m_what += (m_what.empty() ? "feature " : ", feature ") + m_feature;
        m_what += m_what.empty() ? m_problem : ": " + m_problem;
    }

    std::string m_problem;
    std::string m_file;
    std::string m_layer;
    std::string m_feature;
    std::string m_what;
};

// The setters return the derived type so `throw InputError(...).set_file(f)` keeps its type.
#define LIFECIRCLE_ERROR_SETTERS(Type)                                                  \
    Type& set_file(const std::string& v) { Error::set_file(v); return *this; }         \
    Type& set_layer(const std::string& v) { Error::set_layer(v); return *this; }       \
    Type& set_feature(const std::string& v) { Error::set_feature(v); return *this; }

/** The input data is missing, unreadable or wrong (exit code 3). */
class InputError : public Error {
public:
    using Error::Error;
    LIFECIRCLE_ERROR_SETTERS(InputError)
};

/** An output could not be written (exit code 4). */
class OutputError : public Error {
public:
    using Error::Error;
    LIFECIRCLE_ERROR_SETTERS(OutputError)
};

/** The command line or an option value is wrong (exit code 2). */
class UsageError : public Error {
public:
    using Error::Error;
    LIFECIRCLE_ERROR_SETTERS(UsageError)
};

/** The caller cancelled the work (a progress callback said stop); nothing was written. */
class Cancelled : public Error {
public:
    Cancelled() : Error("cancelled") {}
};

}  // namespace lifecircle
