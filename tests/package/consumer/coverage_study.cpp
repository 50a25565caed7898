// The README's example: a whole coverage study through the library (network, residents, the
// catalogue's 15-minute medical circle, clinics), the same call `lifecircle coverage` makes.
#include <cstdio>

#include "studies/console.hpp"
#include "studies/service.hpp"

int main(int argc, char** argv) {
    using namespace lifecircle::studies;
    if (argc != 4) return 2;  // network clinics homes.csv
    AreaSpec area;
    area.network.path = argv[1];
    area.demand.path = argv[3];
    area.demand.read.weight_fields = {"population"};
    ServiceOptions service;
    service.standard = resolve_standard({.name = "medical-15min"});
    service.facilities.path = argv[2];
    const Reporter reporter = console_reporter();
    const auto loaded = load_area(area, service.standard.profile(), reporter);
    const ServiceResult result = run_service(*loaded, service, reporter);
    const auto& f = result.overall[0];
    std::printf("%.0f of %.0f residents within %s\n", f.covered, f.total, service.standard.describe().c_str());
    return 0;
}
