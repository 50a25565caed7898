#include <cmath>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include <cpl_vsi.h>
#include <catch2/catch.hpp>

#include "core/error.hpp"
#include "io/gtfs.hpp"
#include "tests/temp_dir.hpp"

using namespace lifecircle;
using namespace lifecircle::io;
using lifecircle::test::TempDir;
using transit::Time;

namespace {

constexpr Time hm(int h, int m, int s = 0) { return h * 3600 + m * 60 + s; }

using Files = std::map<std::string, std::string>;

/**
 * A small valid feed. Stops S1..S4 lie on one meridian at latitude 0, 0.01, 0.03 and 0.06
 * degrees south of -30, so the straight-line distances between them are 1 : 2 : 3.
 * Trip T1 (weekdays of May 2019, not on 13 May) runs S1 08:00 -> S4 08:30 with S2 and S3
 * untimed; trip T2 (added on 13 May only) runs S4 -> S1.
 */
Files base_feed() {
    return {
        {"agency.txt",
         "agency_id,agency_name,agency_url,agency_timezone\nA1,Test "
         "Bus,http://example.com,America/Sao_Paulo\n"},
        {"stops.txt",
         "stop_id,stop_name,stop_lat,stop_lon\n"
         "S1,First,-30.00,-51.20\n"
         "S2,Second,-30.01,-51.20\n"
         "S3,Third,-30.03,-51.20\n"
         "S4,Fourth,-30.06,-51.20\n"},
        {"routes.txt", "route_id,route_short_name,route_type\nR1,1,3\n"},
        {"calendar.txt",
         "service_id,monday,tuesday,wednesday,thursday,friday,saturday,sunday,start_date,end_date\n"
         "WK,1,1,1,1,1,0,0,20190501,20190531\n"},
        {"calendar_dates.txt", "service_id,date,exception_type\nWK,20190513,2\nEX,20190513,1\n"},
        {"trips.txt", "route_id,service_id,trip_id\nR1,WK,T1\nR1,EX,T2\n"},
        {"stop_times.txt",
         "trip_id,arrival_time,departure_time,stop_id,stop_sequence\n"
         "T1,08:00:00,08:00:00,S1,1\n"
         "T1,,,S2,2\n"
         "T1,,,S3,3\n"
         "T1,08:30:00,08:30:00,S4,4\n"
         "T2,09:00:00,09:00:00,S4,1\n"
         "T2,09:20:00,09:21:00,S1,2\n"},
    };
}

std::string write_folder(const TempDir& dir, const std::string& name, const Files& files) {
    const std::filesystem::path folder = dir.path() / name;
    std::filesystem::create_directories(folder);
    for (const auto& [file, text] : files) dir.write(name + "/" + file, text);
    return folder.string();
}

/** A zip written through GDAL's /vsizip/ (files in `sub`, e.g. "feed/", or at the top). */
std::string write_zip(const TempDir& dir, const std::string& name, const Files& files,
                      const std::string& sub = "") {
    const std::string zip = dir.file(name);
    for (const auto& [file, text] : files) {
        VSILFILE* f = VSIFOpenL(("/vsizip/" + zip + "/" + sub + file).c_str(), "wb");
        REQUIRE(f != nullptr);
        REQUIRE(VSIFWriteL(text.data(), 1, text.size(), f) == text.size());
        VSIFCloseL(f);
    }
    return zip;
}

Date date(const char* iso) { return *parse_iso_date(iso); }

/** The message of the InputError read_gtfs() throws for the feed. */
std::string read_error(const std::string& path) {
    try {
        read_gtfs(path);
    } catch (const InputError& e) {
        return e.what();
    }
    return "(no error)";
}

}  // namespace

TEST_CASE("GTFS dates and times", "[transit][gtfs]") {
    CHECK(parse_gtfs_time("08:05:09") == hm(8, 5, 9));
    CHECK(parse_gtfs_time("8:05:09") == hm(8, 5, 9));
    CHECK(parse_gtfs_time(" 25:10:00 ") == hm(25, 10));
    CHECK(parse_gtfs_time("100:00:00") == hm(100, 0));
    CHECK_FALSE(parse_gtfs_time("8:61:00"));
    CHECK_FALSE(parse_gtfs_time("8:5:00"));
    CHECK_FALSE(parse_gtfs_time("08:00"));
    CHECK_FALSE(parse_gtfs_time(""));
    CHECK(format_gtfs_time(hm(25, 10, 3)) == "25:10:03");
    CHECK(format_gtfs_time(-hm(0, 30)) == "-00:30:00");
    CHECK(parse_gtfs_date("20190513") == date("2019-05-13"));
    CHECK_FALSE(parse_gtfs_date("20190230"));
    CHECK_FALSE(parse_gtfs_date("2019-05-13"));
    CHECK_FALSE(parse_iso_date("2019-13-01"));
    CHECK(format_date(date("2019-05-13")) == "2019-05-13");
    CHECK(weekday_name(date("2019-05-13")) == "Monday");
    const auto departure = parse_departure("2019-05-13T14:05");
    REQUIRE(departure);
    CHECK(departure->first == date("2019-05-13"));
    CHECK(departure->second == hm(14, 5));
    CHECK(parse_departure("2019-05-13 07:30:15")->second == hm(7, 30, 15));
    CHECK_FALSE(parse_departure("2019-05-13T25:00"));
    CHECK_FALSE(parse_departure("2019-05-13"));
    CHECK_FALSE(parse_departure("13/05/2019T14:00"));
}

TEST_CASE("a GTFS folder is read, and empty times are interpolated by distance",
          "[transit][gtfs]") {
    TempDir dir("gtfs");
    const GtfsFeed feed = read_gtfs(write_folder(dir, "feed", base_feed()));
    CHECK(feed.name == "feed");
    REQUIRE(feed.stops.size() == 4);
    CHECK(feed.stops[2].name == "Third");
    CHECK(feed.stops[2].lat == -30.03);
    CHECK(feed.timezone() == "America/Sao_Paulo");
    REQUIRE(feed.trips.size() == 2);
    // S1 -> S4 is 6 distance units: S2 at 1 (1/6 of 30 min), S3 at 3 (half way).
    const auto t1 = feed.times(0);
    REQUIRE(t1.size() == 4);
    CHECK(t1[1].arrival == hm(8, 5));
    CHECK(t1[1].departure == hm(8, 5));
    CHECK(t1[2].arrival == hm(8, 15));
    CHECK(t1[0].timed);
    CHECK_FALSE(t1[1].timed);
    CHECK_FALSE(t1[2].timed);
    CHECK(t1[3].timed);
    CHECK(feed.interpolated == 2);
    CHECK(feed.times(1)[1].departure == hm(9, 21));
    CHECK(feed.first_date == date("2019-05-01"));
    CHECK(feed.last_date == date("2019-05-31"));
}

TEST_CASE("interpolation uses shape_dist_traveled when every stop time has it", "[transit][gtfs]") {
    TempDir dir("gtfs");
    Files files = base_feed();
    files["stop_times.txt"] =
        "trip_id,arrival_time,departure_time,stop_id,stop_sequence,shape_dist_traveled\n"
        "T1,08:00:00,08:00:00,S1,1,0\n"
        "T1,,,S2,2,100\n"
        "T1,,08:20:00,S3,3,400\n"  // only a departure: the arrival is the same
        "T1,,,S4,4,500\n"
        "T1,08:40:00,08:40:00,S1,5,600\n"
        "T2,09:00:00,09:00:00,S4,1,\n"
        "T2,,,S2,2,\n"
        "T2,09:20:00,09:20:00,S1,3,\n";
    const GtfsFeed feed = read_gtfs(write_folder(dir, "feed", files));
    const auto t1 = feed.times(0);
    CHECK(t1[1].arrival == hm(8, 5));  // 100 of 400 along 08:00 -> 08:20
    CHECK(t1[2].arrival == hm(8, 20));
    CHECK(t1[2].timed);
    CHECK(t1[3].arrival == hm(8, 30));  // 100 of 200 along 08:20 -> 08:40
    // T2 lacks distances at two stops: straight lines, S4 -> S2 is 5 units of 6.
    CHECK(feed.times(1)[1].arrival == hm(9, 0) + std::lround(1200.0 * 5.0 / 6.0));
    CHECK(feed.interpolated == 3);
}

TEST_CASE("CSV as real feeds write it: BOM, spaces in headers, CRLF, quotes, line breaks",
          "[transit][gtfs]") {
    TempDir dir("gtfs");
    Files files = base_feed();
    files["agency.txt"] =
        "agency_id, agency_name,agency_url ,agency_timezone\r\nA1,\"Bus, \"\"the\"\" "
        "company\",x,America/Sao_Paulo";
    files["stops.txt"] =
        "\xEF\xBB\xBF"
        "stop_id , stop_name ,stop_lat,stop_lon\r\n"
        "S1,\"First, \"\"north\"\"\nside\",-30.00,-51.20\r\n"
        "\r\n"
        "S2, Second ,-30.01,-51.20\r\n"
        "\"S3\",\"Third\" ,-30.03,-51.20\r\n"
        "S4,,-30.06,-51.20,\r\n";  // a trailing empty field
    files["stop_times.txt"] =
        "trip_id,arrival_time,departure_time,stop_id,stop_sequence\r\n"
        "T1,08:00:00,08:00:00,S1,1\r\n"
        "T1,\"\",\"\",S2,2\r\n"
        "T1,,,S3,3\r\n"
        "T1,08:30:00,08:30:00,S4,4\r\n"
        "T2,09:00:00,09:00:00,S4,1\r\n"
        "T2,09:20:00,09:21:00,S1,2\r\n";
    const GtfsFeed feed = read_gtfs(write_folder(dir, "feed", files));
    REQUIRE(feed.agencies.size() == 1);
    CHECK(feed.agencies[0].name == "Bus, \"the\" company");
    CHECK(feed.agencies[0].timezone == "America/Sao_Paulo");
    REQUIRE(feed.stops.size() == 4);
    CHECK(feed.stops[0].name == "First, \"north\"\nside");
    CHECK(feed.stops[1].name == "Second");
    CHECK(feed.stops[2].id == "S3");
    CHECK(feed.stops[3].name.empty());
    CHECK(feed.times(0)[1].arrival == hm(8, 5));
    // Line numbers count physical lines: an error after the quoted line break says so.
    files["stops.txt"] += "S5,Fifth,-30.5,-500\r\n";
    CHECK_THAT(read_error(write_folder(dir, "bad", files)),
               Catch::Contains("stops.txt: line 8, field 'stop_lon': '-500' is not a longitude"));
}

TEST_CASE("a GTFS zip reads like the folder, also with its files in one sub-folder",
          "[transit][gtfs]") {
    TempDir dir("gtfs");
    const GtfsFeed folder = read_gtfs(write_folder(dir, "feed", base_feed()));
    for (const std::string sub : {"", "feed/"}) {
        INFO("sub-folder '" << sub << "'");
        const std::string zip =
            write_zip(dir, "feed" + std::to_string(sub.size()) + ".zip", base_feed(), sub);
        const GtfsFeed z = read_gtfs(zip, {.name = "z"});
        CHECK(z.name == "z");
        REQUIRE(z.stop_times.size() == folder.stop_times.size());
        for (std::size_t i = 0; i < z.stop_times.size(); ++i) {
            CHECK(z.stop_times[i].arrival == folder.stop_times[i].arrival);
            CHECK(z.stop_times[i].stop == folder.stop_times[i].stop);
        }
        // Errors name the file inside the zip.
        Files bad = base_feed();
        bad["trips.txt"] = "route_id,service_id,trip_id\nR9,WK,T1\nR1,EX,T2\n";
        const std::string bad_zip =
            write_zip(dir, "bad" + std::to_string(sub.size()) + ".zip", bad, sub);
        CHECK_THAT(
            read_error(bad_zip),
            Catch::Contains(bad_zip + "/" + sub +
                            "trips.txt: line 2, field 'route_id': no route 'R9' in routes.txt"));
    }
}

TEST_CASE("service days: calendar weekdays, calendar_dates added and removed", "[transit][gtfs]") {
    TempDir dir("gtfs");
    const GtfsFeed feed = read_gtfs(write_folder(dir, "feed", base_feed()));
    const GtfsService& wk = feed.services[0];
    const GtfsService& ex = feed.services[1];
    CHECK(wk.id == "WK");
    CHECK(wk.runs_on(date("2019-05-10")));        // a Friday
    CHECK_FALSE(wk.runs_on(date("2019-05-11")));  // Saturday
    CHECK_FALSE(wk.runs_on(date("2019-05-13")));  // a Monday, removed
    CHECK(wk.runs_on(date("2019-05-14")));
    CHECK_FALSE(wk.runs_on(date("2019-06-03")));  // after the end date
    CHECK(ex.runs_on(date("2019-05-13")));        // only added
    CHECK_FALSE(ex.runs_on(date("2019-05-14")));

    const std::vector<GtfsFeed> feeds{feed};
    const TransitSchedule monday = build_schedule(feeds, {date("2019-05-13"), 0, 86400});
    REQUIRE(monday.trips.size() == 1);  // T2 only
    CHECK(monday.trips.arrival(0)[0] == hm(9, 0));
    CHECK(monday.stop_ids == std::vector<std::string>{"feed:S1", "feed:S4"});  // T2's stops
    CHECK(monday.feeds[0].services == 1);
    const TransitSchedule tuesday = build_schedule(feeds, {date("2019-05-14"), 0, 86400});
    REQUIRE(tuesday.trips.size() == 1);  // T1 only
    CHECK(tuesday.trips.departure(0)[0] == hm(8, 0));
    CHECK(tuesday.stop_ids.size() == 4);
    CHECK(tuesday.stop_names[2] == "Third");
    CHECK(tuesday.stop_lonlat[3].y == -30.06);
    // Hours: only trips that may run within them are kept.
    const TransitSchedule evening =
        build_schedule(feeds, {date("2019-05-14"), hm(8, 31), hm(12, 0)});
    CHECK(evening.trips.size() == 0);
    REQUIRE(evening.notes.size() == 1);
    CHECK_THAT(evening.notes[0], Catch::Contains("no trip runs between 08:31:00 and 12:00:00"));
}

TEST_CASE("a trip past midnight runs on the next day's early hours", "[transit][gtfs]") {
    TempDir dir("gtfs");
    Files files = base_feed();
    files["calendar.txt"] =
        "service_id,monday,tuesday,wednesday,thursday,friday,saturday,sunday,start_date,end_date\n"
        "SU,0,0,0,0,0,0,1,20190501,20190531\n"
        "MO,1,0,0,0,0,0,0,20190501,20190531\n";
    files["calendar_dates.txt"] = "service_id,date,exception_type\n";
    files["trips.txt"] = "route_id,service_id,trip_id\nR1,SU,NIGHT\nR1,MO,LATE\n";
    files["stop_times.txt"] =
        "trip_id,arrival_time,departure_time,stop_id,stop_sequence\n"
        "NIGHT,24:30:00,24:30:00,S1,1\n"
        "NIGHT,25:00:00,25:00:00,S4,2\n"
        "LATE,23:50:00,23:50:00,S4,1\n"
        "LATE,24:20:00,24:20:00,S1,2\n";
    const std::vector<GtfsFeed> feeds{read_gtfs(write_folder(dir, "feed", files))};
    // Monday 13 May, 00:00-02:00: Sunday's NIGHT trip runs at 00:30 -> 01:00.
    const TransitSchedule early = build_schedule(feeds, {date("2019-05-13"), 0, hm(2, 0)});
    REQUIRE(early.trips.size() == 1);
    CHECK(early.trips.departure(0)[0] == hm(0, 30));
    CHECK(early.trips.arrival(0)[1] == hm(1, 0));
    // Monday 23:30 to 00:30 on Tuesday: Monday's LATE trip, times past 24:00 as they are.
    const TransitSchedule late =
        build_schedule(feeds, {date("2019-05-13"), hm(23, 30), hm(24, 30)});
    REQUIRE(late.trips.size() == 1);
    CHECK(late.trips.arrival(0)[1] == hm(24, 20));
    // Sunday 23:00 to Monday 01:00 seen from Monday: -01:00 .. 01:00; NIGHT from Sunday.
    const TransitSchedule around = build_schedule(feeds, {date("2019-05-13"), -hm(1, 0), hm(1, 0)});
    REQUIRE(around.trips.size() == 1);
    CHECK(around.trips.departure(0)[0] == hm(0, 30));
}

TEST_CASE("frequencies.txt trips run every headway from start_time before end_time",
          "[transit][gtfs]") {
    TempDir dir("gtfs");
    Files files = base_feed();
    files["frequencies.txt"] =
        "trip_id,start_time,end_time,headway_secs,exact_times\n"
        "T1,07:00:00,08:00:00,1200,0\n"
        "T1,10:00:00,10:30:00,900,1\n";
    const GtfsFeed feed = read_gtfs(write_folder(dir, "feed", files));
    REQUIRE(feed.frequencies.size() == 2);
    CHECK(feed.frequencies[1].exact_times);
    const std::vector<GtfsFeed> feeds{feed};
    const TransitSchedule s = build_schedule(feeds, {date("2019-05-14"), 0, 86400});
    // 07:00, 07:20, 07:40 (not 08:00) and 10:00, 10:15; the template's 08:00 is not a trip.
    REQUIRE(s.trips.size() == 5);
    CHECK(s.feeds[0].frequency_trips == 5);
    std::vector<Time> starts, ends, second;
    for (std::size_t i = 0; i < s.trips.size(); ++i) {
        starts.push_back(s.trips.departure(i)[0]);
        second.push_back(s.trips.arrival(i)[1]);
        ends.push_back(s.trips.arrival(i)[3]);
    }
    std::sort(starts.begin(), starts.end());
    std::sort(second.begin(), second.end());
    std::sort(ends.begin(), ends.end());
    CHECK(starts == std::vector<Time>{hm(7, 0), hm(7, 20), hm(7, 40), hm(10, 0), hm(10, 15)});
    // Each copy keeps the template's times after its start, interpolated ones included.
    CHECK(second == std::vector<Time>{hm(7, 5), hm(7, 25), hm(7, 45), hm(10, 5), hm(10, 20)});
    CHECK(ends == std::vector<Time>{hm(7, 30), hm(7, 50), hm(8, 10), hm(10, 30), hm(10, 45)});
    // The copies share one pattern.
    CHECK(s.timetable.pattern_count() == 1);
}

TEST_CASE("several feeds in one schedule, ids prefixed by feed", "[transit][gtfs]") {
    TempDir dir("gtfs");
    const GtfsFeed a = read_gtfs(write_folder(dir, "bus", base_feed()));
    GtfsFeed b = read_gtfs(write_folder(dir, "metro", base_feed()));
    const TransitSchedule s =
        build_schedule(std::vector<GtfsFeed>{a, b}, {date("2019-05-14"), 0, 86400});
    CHECK(s.trips.size() == 2);
    CHECK(s.stop_ids == std::vector<std::string>{"bus:S1", "bus:S2", "bus:S3", "bus:S4", "metro:S1",
                                                 "metro:S2", "metro:S3", "metro:S4"});
    CHECK(s.timetable.pattern_count() == 2);  // different feeds: different routes
    b.name = "bus";
    CHECK_THROWS_WITH(build_schedule(std::vector<GtfsFeed>{a, b}, {date("2019-05-14"), 0, 86400}),
                      Catch::Contains("two feeds are named 'bus'") &&
                          Catch::Contains("give them different names"));
    b.name = "metro";
    b.agencies[0].timezone = "Europe/Lisbon";
    CHECK_THROWS_WITH(
        build_schedule(std::vector<GtfsFeed>{a, b}, {date("2019-05-14"), 0, 86400}),
        Catch::Contains("metro: its agencies keep time in Europe/Lisbon but feed 'bus' in "
                        "America/Sao_Paulo"));
}

TEST_CASE("a feed running on no day of the window says which days it runs", "[transit][gtfs]") {
    TempDir dir("gtfs");
    const std::string path = write_folder(dir, "feed", base_feed());
    const std::vector<GtfsFeed> feeds{read_gtfs(path)};
    CHECK_THROWS_WITH(
        build_schedule(feeds, {date("2020-01-06"), hm(7, 0), hm(9, 0)}),
        path +
            ": no service of this feed runs on 2020-01-06 (Monday): its services "
            "run from 2019-05-01 to 2019-05-31; choose a departure date in that range");
    CHECK_THROWS_WITH(build_schedule(feeds, {date("2019-05-11"), hm(7, 0), hm(30, 0)}),
                      Catch::Contains("runs on any day from 2019-05-11 (Saturday) to 2019-05-12"));
    // A window reaching into Monday 13 May (T2 added) is fine.
    CHECK_NOTHROW(build_schedule(feeds, {date("2019-05-12"), hm(7, 0), hm(34, 0)}));
}

TEST_CASE("every GTFS error names the file, the line and the field", "[transit][gtfs]") {
    struct Case {
        std::string file;
        std::string text;  // replaces the file ("" with `remove`: the file is left out)
        std::string expected;
        bool remove = false;
    };
    const std::string st = "trip_id,arrival_time,departure_time,stop_id,stop_sequence\n";
    const std::string t2 = "T2,09:00:00,09:00:00,S4,1\nT2,09:20:00,09:20:00,S1,2\n";
    const std::string cal =
        "service_id,monday,tuesday,wednesday,thursday,friday,saturday,sunday,start_date,end_date\n";
    const std::vector<Case> cases{
        {"stops.txt", "", "the feed has no stops.txt: a GTFS feed needs", true},
        {"calendar.txt", "", "", true},  // calendar_dates.txt alone is enough
        {"stop_times.txt", "trip_id,arrival_time,departure_time,stop_id\nT1,08:00:00,08:00:00,S1\n",
         "stop_times.txt: line 1, field 'stop_sequence': the column is missing (the header names "
         "trip_id, arrival_time, departure_time, stop_id); add it"},
        {"stops.txt", "stop_id,stop_lat,stop_lon\nS1,-30,-51\nS2,-30,-51\nS1,-30,-51\n",
         "stops.txt: line 4, field 'stop_id': 'S1' is used twice (first on line 2): stop ids must "
         "be unique"},
        {"stops.txt", "stop_id,stop_lat,stop_lon\nS1,,-51\n",
         "stops.txt: line 2, field 'stop_lat': empty; the stop needs its latitude"},
        {"stops.txt", "stop_id,stop_lat,stop_lon\nS1,-91,-51\n",
         "stops.txt: line 2, field 'stop_lat': '-91' is not a latitude in degrees"},
        {"stops.txt", "stop_id,stop_lat,stop_lon,location_type\nS1,-30,-51,7\n",
         "stops.txt: line 2, field 'location_type': '7' is not a valid value: use 0 (stop)"},
        {"stops.txt", "stop_id,stop_lat,stop_lon\n,-30,-51\n",
         "stops.txt: line 2, field 'stop_id': empty; every stop needs an id"},
        {"routes.txt", "route_id,route_type\nR1,bus\n",
         "routes.txt: line 2, field 'route_type': 'bus' is not a route type: 3 for a bus"},
        {"trips.txt", "route_id,service_id,trip_id\nR1,XX,T1\nR1,EX,T2\n",
         "trips.txt: line 2, field 'service_id': no service 'XX' in calendar.txt or "
         "calendar_dates.txt"},
        {"trips.txt", "route_id,service_id,trip_id\nR1,WK,T1\nR1,EX,T1\n",
         "trips.txt: line 3, field 'trip_id': 'T1' is used twice (first on line 2): trip ids must "
         "be unique"},
        {"trips.txt", "route_id,service_id,trip_id,shape_id\nR1,WK,T1,SH\nR1,EX,T2,\n",
         "trips.txt: line 2, field 'shape_id': no shape 'SH' (the feed has no shapes.txt)"},
        {"calendar.txt", cal + "WK,1,1,1,1,1,0,2,20190501,20190531\n",
         "calendar.txt: line 2, field 'sunday': '2' is not a valid value: use 1 (runs that "
         "weekday) or 0"},
        {"calendar.txt", cal + "WK,1,1,1,1,1,0,0,20190501,20190431\n",
         "calendar.txt: line 2, field 'end_date': '20190431' is not a date: write YYYYMMDD"},
        {"calendar.txt", cal + "WK,1,1,1,1,1,0,0,20190501,20190430\n",
         "calendar.txt: line 2, field 'end_date': 2019-04-30 is before the start_date 2019-05-01: "
         "swap them"},
        {"calendar_dates.txt", "service_id,date,exception_type\nEX,20190513,3\n",
         "calendar_dates.txt: line 2, field 'exception_type': '3' is not an exception type: 1 "
         "(service "
         "added) or 2 (removed)"},
        {"stop_times.txt", st + "T9,08:00:00,08:00:00,S1,1\n",
         "stop_times.txt: line 2, field 'trip_id': no trip 'T9' in trips.txt"},
        {"stop_times.txt", st + "T1,08:00:00,08:00:00,S9,1\n",
         "stop_times.txt: line 2, field 'stop_id': no stop 'S9' in stops.txt"},
        {"stop_times.txt", st + "T1,8:61:00,08:00:00,S1,1\n",
         "stop_times.txt: line 2, field 'arrival_time': '8:61:00' is not a time: write H:MM:SS or "
         "HH:MM:SS (hours may pass 24"},
        {"stop_times.txt", st + "T1,08:00:00,08:00:00,S1,one\n",
         "stop_times.txt: line 2, field 'stop_sequence': 'one' is not a sequence number"},
        {"stop_times.txt", st + "T1,,,S1,1\nT1,08:30:00,08:30:00,S4,2\n" + t2,
         "stop_times.txt: line 2, field 'arrival_time': the first stop of trip 'T1' has no time: "
         "the "
         "first and last stops of a trip must have arrival and departure times"},
        {"stop_times.txt", st + "T1,08:00:00,08:00:00,S1,1\nT1,,,S4,2\n" + t2,
         "stop_times.txt: line 3, field 'arrival_time': the last stop of trip 'T1' has no time"},
        {"stop_times.txt", st + "T1,08:00:00,08:10:00,S1,1\nT1,08:05:00,08:05:00,S4,2\n" + t2,
         "stop_times.txt: line 3, field 'arrival_time': 08:05:00 is before the departure 08:10:00 "
         "from "
         "an earlier stop of trip 'T1' (line 2): times along a trip must not decrease"},
        {"stop_times.txt", st + "T1,08:00:00,07:59:00,S1,1\nT1,08:05:00,08:05:00,S4,2\n" + t2,
         "stop_times.txt: line 2, field 'departure_time': 07:59:00 is before the arrival 08:00:00 "
         "at the "
         "same stop"},
        {"stop_times.txt", st + "T1,08:00:00,08:00:00,S1,1\nT1,08:05:00,08:05:00,S4,1\n" + t2,
         "stop_times.txt: line 3, field 'stop_sequence': trip 'T1' has stop_sequence 1 twice (also "
         "on "
         "line 2)"},
        {"stop_times.txt", st + "T1,08:00:00,08:00:00,S1,1\n" + t2,
         "stop_times.txt: line 2, field 'trip_id': trip 'T1' has only this stop time: a trip needs "
         "at "
         "least two stops"},
        {"stop_times.txt",
         "trip_id,arrival_time,departure_time,stop_id,stop_sequence,shape_dist_traveled\n"
         "T1,08:00:00,08:00:00,S1,1,100\nT1,08:05:00,08:05:00,S4,2,50\n" +
             t2,
         "stop_times.txt: line 3, field 'shape_dist_traveled': 50 is less than at the stop before "
         "(100, "
         "line 2): distances along a trip must not decrease"},
        {"stop_times.txt", st + "T1,08:00:00,08:00:00,\"S1,1\n",
         "stop_times.txt: line 2: a quote (\") opened on this line is never closed"},
        {"stop_times.txt", st + "T1,08:00:00,08:00:00,S1,1,extra\n",
         "stop_times.txt: line 2: the record has 6 fields but the header names 5"},
        {"stop_times.txt", st + "T1,\"08:00:00\"x,08:00:00,S1,1\n",
         "stop_times.txt: line 2: text after the closing quote of field 2"},
        {"frequencies.txt", "trip_id,start_time,end_time,headway_secs\nT1,07:00:00,08:00:00,0\n",
         "frequencies.txt: line 2, field 'headway_secs': '0' is not a headway"},
        {"frequencies.txt", "trip_id,start_time,end_time,headway_secs\nT1,08:00:00,07:00:00,600\n",
         "frequencies.txt: line 2, field 'end_time': 07:00:00 is not after the start_time "
         "08:00:00"},
        {"shapes.txt",
         "shape_id,shape_pt_lat,shape_pt_lon,shape_pt_sequence\nSH,-30,-51,1\nSH,-30.1,-51,1\n",
         "shapes.txt: line 3, field 'shape_pt_sequence': shape 'SH' has point 1 twice (lines 2 and "
         "3)"},
        {"agency.txt", "", "", true},  // agency.txt missing is accepted (a note)
    };
    TempDir dir("gtfs");
    int n = 0;
    for (const Case& c : cases) {
        Files files = base_feed();
        if (c.remove) {
            files.erase(c.file);
        } else {
            files[c.file] = c.text;
        }
        const std::string path = write_folder(dir, "case" + std::to_string(n++), files);
        INFO(c.file << " -> " << c.expected);
        if (c.expected.empty()) {
            CHECK_NOTHROW(read_gtfs(path));
            continue;
        }
        const std::string message = read_error(path);
        CHECK_THAT(message, Catch::Contains(c.expected));
        // The file is named by its full path, the feed first.
        if (!c.remove) CHECK_THAT(message, Catch::StartsWith(path + "/" + c.file + ": line "));
    }
    // A station in stop_times.
    Files files = base_feed();
    files["stops.txt"] += "ST,Station,-30.0,-51.2,1\n";
    files["stops.txt"].replace(files["stops.txt"].find('\n'), 0, ",location_type");
    files["stop_times.txt"] = st + "T1,08:00:00,08:00:00,ST,1\nT1,08:05:00,08:05:00,S4,2\n" + t2;
    CHECK_THAT(read_error(write_folder(dir, "station", files)),
               Catch::Contains(
                   "stop_times.txt: line 2, field 'stop_id': stop 'ST' has location_type 1 (not "
                   "a stop or platform)"));
    // Neither calendar file; not a zip; nothing there.
    files = base_feed();
    files.erase("calendar.txt");
    files.erase("calendar_dates.txt");
    CHECK_THAT(read_error(write_folder(dir, "nocal", files)),
               Catch::Contains("the feed has neither calendar.txt nor calendar_dates.txt"));
    const std::string text = dir.write("feed.zip", "not a zip");
    CHECK(read_error(text) ==
          text + ": not a zip file: a GTFS feed is a .zip of .txt files (or a folder of them)");
    CHECK_THAT(read_error(dir.file("missing.zip")),
               Catch::Contains("the GTFS feed does not exist"));
}

namespace {
const std::string transit_dir = std::string(LIFECIRCLE_SHARED_DATA) + "/transit";
}

TEST_CASE("Porto Alegre: both GTFS feeds load and make a weekday schedule",
          "[transit][gtfs][real]") {
    const std::string eptc = transit_dir + "/porto_alegre_eptc_gtfs.zip";
    const std::string trensurb = transit_dir + "/porto_alegre_trensurb_gtfs.zip";
    if (!std::filesystem::exists(eptc) || !std::filesystem::exists(trensurb)) {
        WARN("skipped: ../shared/data/transit/porto_alegre_*_gtfs.zip not found");
        return;
    }
    const GtfsFeed bus = read_gtfs(eptc, {.name = "eptc"});
    const GtfsFeed metro = read_gtfs(trensurb, {.name = "trensurb"});
    CHECK(bus.stops.size() == 3986);
    CHECK(bus.trips.size() == 2374);
    CHECK(bus.stop_times.size() == 130019);
    CHECK(bus.interpolated == 125271);  // every empty time the feed leaves
    CHECK(bus.shape_ids.size() > 100);
    CHECK(metro.stops.size() == 24);
    CHECK(metro.trips.size() == 1248);
    REQUIRE(metro.agencies.size() == 1);
    CHECK(metro.agencies[0].name == "TRENSURB");  // its header reads "agency_id, agency_name"
    CHECK(bus.timezone() == "America/Sao_Paulo");
    // Interpolated times lie between the timed ones around them, and never decrease.
    for (std::size_t t = 0; t < bus.trips.size(); ++t) {
        const auto times = bus.times(t);
        for (std::size_t i = 1; i < times.size(); ++i)
            REQUIRE(times[i].arrival >= times[i - 1].departure);
    }
    const std::vector<GtfsFeed> feeds{bus, metro};
    const TransitSchedule s = build_schedule(feeds, {date("2019-05-13"), hm(14, 0), hm(17, 0)});
    REQUIRE(s.feeds.size() == 2);
    CHECK(s.feeds[0].trips > 1000);
    CHECK(s.feeds[1].trips > 50);
    CHECK(s.stop_ids.size() > 3000);
    CHECK(s.stop_ids.front().rfind("eptc:", 0) == 0);
    CHECK(s.stop_ids.back().rfind("trensurb:", 0) == 0);
    s.timetable.validate();
    // A Sunday in 2020 is outside both feeds.
    CHECK_THROWS_WITH(
        build_schedule(feeds, {date("2020-01-05"), hm(14, 0), hm(15, 0)}),
        Catch::Contains("porto_alegre_eptc_gtfs.zip: no service of this feed runs on 2020-01-05 "
                        "(Sunday): its services run from"));
}
