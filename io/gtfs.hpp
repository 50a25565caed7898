#pragma once
/**
 * GTFS feeds (https://gtfs.org/schedule/reference/): read_gtfs() reads one feed, a zip (read
 * in place through GDAL's /vsizip/) or a folder of .txt files, checks it and fills in the
 * stop times a feed leaves empty; build_schedule() turns one or more feeds into the trips and
 * timetable (core/timetable) of one service day and window.
 *
 * What is read: agency, stops, routes, trips, stop_times, calendar and calendar_dates (either
 * may be absent, not both), frequencies and shapes when present. CSV as RFC 4180 writes it
 * (quoted fields, "" inside quotes, line breaks inside quotes), a UTF-8 BOM, spaces around
 * header names and values, CRLF or LF. Times may pass 24:00:00 (a trip after midnight still
 * belongs to the day it started on).
 *
 * Empty intermediate arrival and departure times (as GTFS allows between timepoints) are
 * interpolated linearly by distance along the trip between the timed stops around them:
 * shape_dist_traveled when every stop time of the trip has it, otherwise the straight-line
 * distance between consecutive stops; rounded to the nearest second.
 *
 * frequencies.txt trips run from start_time every headway_secs while the departure is before
 * end_time, deterministically, each a copy of the trip's stop_times shifted to that
 * departure (exact_times 0 or 1 alike). r5 instead samples random offsets within the headway
 * (Monte Carlo draws); here a frequency is a plain schedule.
 *
 * A feed with errors is refused with an InputError naming the file (inside the zip), the line
 * and the field, and saying what to do.
 *
 * Times count from midnight of the service day. (GTFS counts from noon minus 12 hours, which
 * is an hour off midnight on the two days a year clocks change; that is not modelled.)
 */

#include <chrono>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/timetable.hpp"
#include "core/types.hpp"

namespace lifecircle::io {

/** A calendar date. */
using Date = std::chrono::sys_days;

/** Parses a GTFS date, "YYYYMMDD"; nothing if it is not a valid date. */
std::optional<Date> parse_gtfs_date(std::string_view text);
/** Parses "YYYY-MM-DD" (ISO 8601, as a command line gives it); nothing if not a valid date. */
std::optional<Date> parse_iso_date(std::string_view text);
/** "2019-05-13". */
std::string format_date(Date date);
/** "Monday" ... "Sunday". */
std::string_view weekday_name(Date date);
/**
 * Parses a GTFS time "H:MM:SS" or "HH:MM:SS" into seconds since midnight; hours may pass 24
 * ("25:10:00" is 90,600). Nothing for anything else.
 */
std::optional<transit::Time> parse_gtfs_time(std::string_view text);
/** "25:10:00" (hours may pass 24; negative times get a leading "-"). */
std::string format_gtfs_time(transit::Time seconds);
/**
 * Parses a departure as a command line gives it, "YYYY-MM-DDTHH:MM" (or with a space for the
 * T, or with ":SS"), local time of the feeds: the date and the seconds since its midnight.
 */
std::optional<std::pair<Date, transit::Time>> parse_departure(std::string_view text);

/** How to read a feed. */
struct GtfsReadOptions {
    /** The feed's name, which prefixes its ids ("eptc:1511"); empty: the file name without
        its extension. */
    std::string name;
};

/** A row of agency.txt. */
struct GtfsAgency {
    std::string id;        ///< agency_id ("" when the feed has one agency and leaves it out)
    std::string name;      ///< agency_name
    std::string timezone;  ///< agency_timezone, as "America/Sao_Paulo"
};

/** A row of stops.txt. Longitude and latitude are NaN for the location types that may lack
    them (generic nodes, boarding areas). */
struct GtfsStop {
    std::string id;    ///< stop_id
    std::string name;  ///< stop_name
    double lon = 0.0;  ///< stop_lon, WGS 84 degrees
    double lat = 0.0;  ///< stop_lat, WGS 84 degrees
    /** 0 stop or platform, 1 station, 2 entrance, 3 generic node, 4 boarding area. */
    std::uint8_t location_type = 0;
    std::string parent_station;  ///< the station's stop_id, or ""
};

/** A row of routes.txt. */
struct GtfsRoute {
    std::string id;          ///< route_id
    std::string agency_id;   ///< agency_id, or ""
    std::string short_name;  ///< route_short_name ("T1")
    std::string long_name;   ///< route_long_name
    /** GTFS route_type (3 bus, 1 metro, 2 rail...). */
    int type = 3;
};

/** A service: its calendar.txt row (if any) and its calendar_dates.txt exceptions. */
struct GtfsService {
    std::string id;  ///< service_id
    /** Whether calendar.txt has a row for the service. */
    bool has_calendar = false;
    /** Bit 0 Monday ... bit 6 Sunday. */
    std::uint8_t weekdays = 0;
    Date start{};  ///< start_date (with a calendar row)
    Date end{};    ///< end_date, inclusive
    /** calendar_dates.txt rows: the date, and true when service is added (false: removed). */
    std::vector<std::pair<Date, bool>> exceptions;
    /** Whether the service runs on `date`: the calendar, then the exceptions. */
    bool runs_on(Date date) const;
};

/** A row of trips.txt, with its stop times (GtfsFeed::times). */
struct GtfsTrip {
    std::string id;                ///< trip_id
    std::uint32_t route = 0;       ///< index into GtfsFeed::routes
    std::uint32_t service = 0;     ///< index into GtfsFeed::services
    std::string shape_id;          ///< shape_id, or ""
    std::uint32_t first_time = 0;  ///< index of its first row in GtfsFeed::stop_times
    std::uint32_t time_count = 0;  ///< number of its stop times (0: the trip never runs)
};

/** One stop of a trip, in stop_sequence order, after interpolation. */
struct GtfsStopTime {
    std::uint32_t stop = 0;       ///< index into GtfsFeed::stops
    transit::Time arrival = 0;    ///< seconds since midnight of the service day
    transit::Time departure = 0;  ///< seconds since midnight of the service day
    /** transit::StopRule bits: pickup_type 1 takes `board` away, drop_off_type 1 `alight`. */
    std::uint8_t rules = transit::StopRule::board_and_alight;
    /** Whether the feed gave the time (false: interpolated). */
    bool timed = true;
};

/** A row of frequencies.txt. */
struct GtfsFrequency {
    std::uint32_t trip = 0;     ///< index into GtfsFeed::trips
    transit::Time start = 0;    ///< start_time: the first departure from the first stop
    transit::Time end = 0;      ///< end_time: departures are before it
    transit::Time headway = 0;  ///< headway_secs
    bool exact_times = false;   ///< exact_times 1 (expanded the same way)
};

/** One feed as read and checked. */
struct GtfsFeed {
    std::string path;                        ///< the zip or folder read
    std::string name;                        ///< the prefix of its ids
    std::vector<GtfsAgency> agencies;        ///< agency.txt
    std::vector<GtfsStop> stops;             ///< stops.txt, in file order
    std::vector<GtfsRoute> routes;           ///< routes.txt
    std::vector<GtfsService> services;       ///< calendar.txt and calendar_dates.txt
    std::vector<GtfsTrip> trips;             ///< trips.txt
    std::vector<GtfsStopTime> stop_times;    ///< stop_times.txt, trip by trip in sequence
    std::vector<GtfsFrequency> frequencies;  ///< frequencies.txt
    /** Shapes (shapes.txt): ids, and each one's points as (lon, lat) in Point::x, Point::y. */
    std::vector<std::string> shape_ids;
    std::vector<std::uint32_t> shape_first{0};  ///< shape_ids.size()+1 offsets into shape_points
    std::vector<Point> shape_points;            ///< in shape_pt_sequence order
    /** Stop times the feed left empty and read_gtfs() interpolated. */
    std::size_t interpolated = 0;
    /** First and last day any service runs (calendar ranges and added dates); nothing if no
        service ever runs. */
    std::optional<Date> first_date;
    std::optional<Date> last_date;
    /** Things the reader noticed and accepted (trips without stop times...). */
    std::vector<std::string> notes;

    /** The stop times of trip i. */
    std::span<const GtfsStopTime> times(std::size_t i) const {
        return {stop_times.data() + trips[i].first_time, trips[i].time_count};
    }
    /** The time zone of the feed's agencies ("" if agency.txt gives none). */
    std::string timezone() const;
};

/**
 * Reads and checks a GTFS feed: a .zip file or a folder holding the .txt files (in a zip they
 * may sit in one sub-folder). Throws InputError with the file, line and field of the first
 * error found.
 */
GtfsFeed read_gtfs(const std::string& path, const GtfsReadOptions& options = {});

/** The day and hours a timetable is built for. */
struct ServiceWindow {
    /** The service date: times count from its midnight. */
    Date date{};
    /** The earliest time a journey may use (seconds since midnight of `date`). */
    transit::Time from = 0;
    /** The latest time a journey may use: the last departure plus the longest journey. */
    transit::Time to = 24 * 3600;
};

/** What build_schedule() took from one feed. */
struct FeedUse {
    std::string name;  ///< the feed's name
    /** Services running on a day of the window. */
    std::size_t services = 0;
    /** Trips kept (after frequency expansion), including trips of the day before or after. */
    std::size_t trips = 0;
    /** Trips of them made from frequencies.txt. */
    std::size_t frequency_trips = 0;
};

/** The trips and timetable of a window over one or more feeds. */
struct TransitSchedule {
    /** Every trip that may run within the window, times in seconds since midnight of the
        window's date (the day before: negative; the day after: 86,400 more). */
    transit::TripList trips;
    /** The trips as patterns, for RAPTOR. */
    transit::Timetable timetable;
    /** Per timetable stop: its feed's position, as (lon, lat) in (x, y). */
    std::vector<Point> stop_lonlat;
    /** Per timetable stop: "feed:stop_id". */
    std::vector<std::string> stop_ids;
    /** Per timetable stop: its name. */
    std::vector<std::string> stop_names;
    /** Per feed: what was used. */
    std::vector<FeedUse> feeds;
    /** Remarks for the user (a feed with no trip in the hours of the window...). */
    std::vector<std::string> notes;
};

/**
 * The trips of `feeds` that may run within `window`: those of services running on the
 * window's days, and of the days before and after when their times reach into it (a trip at
 * 25:30:00 yesterday runs at 01:30 today); frequency trips expanded. Only stops some kept
 * trip serves become timetable stops, in feed order. Ids are prefixed with the feed's name.
 * Throws InputError naming the feed when it runs on no day of the window (giving the days it
 * does run), when two feeds have the same name, or when feeds are in different time zones.
 */
TransitSchedule build_schedule(std::span<const GtfsFeed> feeds, const ServiceWindow& window);

}  // namespace lifecircle::io
