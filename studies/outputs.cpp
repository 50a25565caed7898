#include "studies/outputs.hpp"

#include "io/layer_writer.hpp"

namespace lifecircle::studies {

io::OutputPlan plan_outputs(std::vector<io::OutputRequest> outputs,
                            const std::vector<std::pair<std::string, std::string>>& inputs,
                            const Reporter& reporter) {
    std::vector<std::string> paths;
    for (const auto& [option, path] : inputs) {
        if (path.empty()) continue;
        io::check_input_path(path, option);
        paths.push_back(path);
    }
    return io::OutputPlan(std::move(outputs), paths,
                          [reporter](const std::string& n) { reporter.note(n); });
}

void write_layer_files(io::OutputPlan& plan, std::vector<std::vector<Layer>> per_file,
                       const std::string& crs, bool update, unsigned threads,
                       const Reporter& reporter) {
    io::WriteOptions wo;
    wo.update = update;
    wo.threads = threads;
    for (std::size_t f = 0; f < per_file.size(); ++f) {
        if (per_file[f].empty()) continue;
        for (const std::string& n : io::write_layers(plan, f, per_file[f], crs, wo))
            reporter.note(n);
    }
}

}  // namespace lifecircle::studies
