#include <exception>
#include <iostream>
#include <memory>
#include <new>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "cli/common.hpp"
#include "cli/verbs.hpp"
#include "core/error.hpp"
#include "studies/console.hpp"

namespace {

/** "unknown verb 'covrage'; the verbs are ..." when `word` names no verb, else empty. */
std::string unknown_verb(CLI::App& app, const std::string& word) {
    std::string verbs;
    for (const CLI::App* v : app.get_subcommands({})) {
        if (v->get_name() == word) return {};
        verbs += (verbs.empty() ? "" : ", ") + v->get_name();
    }
    return "unknown verb '" + word + "'; the verbs are " + verbs;
}

}  // namespace

int main(int argc, char** argv) {
    using namespace lifecircle;
    using namespace lifecircle::cli;
    CLI::App app{"lifecircle: who is within a 15-minute walk of a clinic, kindergarten or meal point, by road.",
                 "lifecircle"};
    app.set_version_flag("--version", std::string("lifecircle ") + LIFECIRCLE_VERSION);
    app.require_subcommand(1, 1);
    app.footer("Exit codes: 0 ok, 1 internal error, 2 usage error, 3 bad input, 4 output could not be written.\n"
               "Map data from OpenStreetMap is (c) OpenStreetMap contributors, ODbL 1.0.");
    Runner run;
    set_command_line(std::vector<std::string>(argv, argv + argc));
    add_network_info(app, run);
    add_matrix(app, run);
    add_isochrones(app, run);
    add_facilities(app, run);
    add_coverage(app, run);
    add_demand(app, run);
    add_standards(app, run);
    add_suggest(app, run);
    add_plan(app, run);
    add_demo(app, run);
    add_merge(app, run);
    add_slurm(app, run);
    try {
        app.parse(argc, argv);
    } catch (const CLI::CallForHelp& e) {
        return app.exit(e);
    } catch (const CLI::CallForAllHelp& e) {
        return app.exit(e);
    } catch (const CLI::CallForVersion& e) {
        return app.exit(e);
    } catch (const CLI::ParseError& e) {
        const std::string verb = argc > 1 && argv[1][0] != '-' ? unknown_verb(app, argv[1]) : std::string();
        print_error(verb.empty() ? std::string(e.what()) + " (see lifecircle --help)" : verb);
        return exit_usage;
    }
    // A result written to stdout (--out -) keeps stdout to itself: the report goes to stderr.
    for (const CLI::App* verb : app.get_subcommands())
        for (const char* name : {"--out", "--summary"})
            if (const CLI::Option* o = verb->get_option_no_throw(name); o && o->count() > 0)
                for (const std::string& v : o->results())
                    if (v == "-" || v == "/dev/stdout") studies::set_console_stream(stderr);
    try {
        return run ? run() : exit_usage;
    } catch (const UsageError& e) {
        print_error(e.what());
        return exit_usage;
    } catch (const OutputError& e) {
        print_error(e.what());
        return exit_output;
    } catch (const Error& e) {
        print_error(e.what());
        return exit_input;
    } catch (const std::bad_alloc&) {
        print_error("out of memory");
        return exit_internal;
    } catch (const std::exception& e) {
        print_error(std::string("internal error: ") + e.what());
        return exit_internal;
    }
}
