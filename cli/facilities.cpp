// lifecircle facilities: the facilities of one kind in an OpenStreetMap file, as points.
#include "cli/common.hpp"
#include "cli/verbs.hpp"
#include "studies/verb_jobs.hpp"

namespace lifecircle::cli {

void add_facilities(CLI::App& app, Runner& run) {
    auto* cmd = app.add_subcommand("facilities", "Extract facilities of one kind (clinics, kindergartens, meal points "
                                                 "...) from an OpenStreetMap file as points");
    struct Args {
        std::string network, kind, out, layer_name = "facilities";
        bool update = false;
    };
    auto a = std::make_shared<Args>();
    cmd->add_option("--network", a->network, "OpenStreetMap file (.osm.pbf, .osm, .osm.bz2, .osm.gz)")->required();
    cmd->add_option("--kind", a->kind, "hospital, clinic, community-health, kindergarten, meal-point or elderly-care")
        ->required();
    cmd->add_option("--out", a->out, "Output points: .geojson (- = standard output) or .gpkg")->required();
    cmd->add_flag("--update", a->update, "Add or replace only this layer in an existing .gpkg, keeping its other "
                                         "layers (without it an existing file is replaced whole)");
    cmd->add_option("--layer-name", a->layer_name, "Layer name")->capture_default_str();
    add_quiet_option(*cmd);
    cmd->callback([&run, a] {
        run = [a] {
            const std::size_t count =
                studies::run_facilities_job(a->network, a->kind, a->out, a->layer_name, a->update, reporter());
            print_note("facilities: " + std::to_string(count) + " of kind " + a->kind + " written to " + a->out);
            return 0;
        };
    });
}

}  // namespace lifecircle::cli
