#!/usr/bin/env python3
"""Parse an iCalendar feed with a real third-party parser and print what it read, as JSON.

Usage: python3 tests/peers/ical_check.py --parser icalendar|vobject FILE|-

Used by crates/ical-feed/tests/peers.rs, which compares the output field by field with the
shifts the feed was written from. Exit code 0 with JSON on stdout; 3 if the parser library is
missing; 4 if the parser rejects the feed.

Instants are reported in UTC ("2026-03-28T21:00:00Z"). For a TZID time the instant is computed
from the feed's own VTIMEZONE, never from the system tz database:

- icalendar: the VTIMEZONE is turned into a tzinfo with Timezone.to_tz(lookup_tzid=False)
  (icalendar itself would use the system zoneinfo for a known TZID; that result is reported
  separately as start_tzdb / end_tzdb).
- vobject: registers every VTIMEZONE of the stream under its TZID and uses it for DTSTART/DTEND.
"""

import argparse
import datetime as dt
import json
import sys

UTC = dt.timezone.utc


def iso(value):
    """UTC ISO string of an aware datetime."""
    if value is None:
        return None
    if not isinstance(value, dt.datetime) or value.tzinfo is None:
        raise ValueError(f"not an aware date-time: {value!r}")
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def check_icalendar(text):
    try:
        import icalendar
    except ImportError as e:
        print(f"python package icalendar is missing ({e}): pip install -r tests/peers/requirements.txt", file=sys.stderr)
        sys.exit(3)
    try:
        cal = icalendar.Calendar.from_ical(text)
    except Exception as e:  # noqa: BLE001 - any rejection is reported
        print(f"icalendar rejected the feed: {e!r}", file=sys.stderr)
        sys.exit(4)

    errors = []
    for component in cal.walk():
        for err in getattr(component, "errors", []) or []:
            errors.append(f"{component.name}: {err}")

    zones = {}
    for vtz in cal.walk("VTIMEZONE"):
        zones[str(vtz["TZID"])] = vtz.to_tz(lookup_tzid=False)

    def instant(prop):
        value = prop.dt
        tzid = prop.params.get("TZID")
        if tzid is None:
            return iso(value), iso(value), None
        own = value.replace(tzinfo=None).replace(tzinfo=zones[str(tzid)])
        return iso(own), iso(value), str(tzid)

    def text(component, name):
        value = component.get(name)
        return None if value is None else str(value)

    events = []
    for ev in cal.walk("VEVENT"):
        start, start_tzdb, start_tzid = instant(ev["DTSTART"])
        end, end_tzdb, end_tzid = instant(ev["DTEND"])
        cats = ev.get("CATEGORIES")
        if cats is None:
            cats = []
        elif not isinstance(cats, list):  # one CATEGORIES property, or several
            cats = [cats]
        categories = [str(c) for prop in cats for c in prop.cats]
        agent = ev.get("X-WFM-AGENT")
        events.append({
            "uid": text(ev, "UID"),
            "start": start,
            "end": end,
            "start_tzdb": start_tzdb,
            "end_tzdb": end_tzdb,
            "start_tzid": start_tzid,
            "end_tzid": end_tzid,
            "dtstamp": iso(ev["DTSTAMP"].dt),
            "last_modified": iso(ev["LAST-MODIFIED"].dt),
            "summary": text(ev, "SUMMARY"),
            "description": text(ev, "DESCRIPTION"),
            "location": text(ev, "LOCATION"),
            "categories": categories,
            "status": text(ev, "STATUS"),
            "sequence": int(ev["SEQUENCE"]),
            "agent": None if agent is None else str(agent),
            "agent_cn": None if agent is None else agent.params.get("CN"),
        })
    return {
        "parser": "icalendar",
        "version": icalendar.__version__,
        "prodid": text(cal, "PRODID"),
        "version_property": text(cal, "VERSION"),
        "method": text(cal, "METHOD"),
        "name": text(cal, "NAME"),
        "x_wr_calname": text(cal, "X-WR-CALNAME"),
        "refresh_interval": cal["REFRESH-INTERVAL"].to_ical().decode() if "REFRESH-INTERVAL" in cal else None,
        "x_published_ttl": cal["X-PUBLISHED-TTL"].to_ical().decode() if "X-PUBLISHED-TTL" in cal else None,
        "timezones": sorted(zones),
        "errors": errors,
        "events": events,
    }


def check_vobject(text):
    try:
        import vobject
    except ImportError as e:
        print(f"python package vobject is missing ({e}): pip install -r tests/peers/requirements.txt", file=sys.stderr)
        sys.exit(3)
    try:
        components = list(vobject.readComponents(text, validate=True, transform=False))
        if len(components) != 1:
            raise ValueError(f"{len(components)} top-level components")
        cal = components[0]
        # TZID parameters are consumed by vobject's conversion to native values: read them first.
        tzids = {}
        for ev in cal.contents.get("vevent", []):
            for name in ("dtstart", "dtend"):
                line = ev.contents[name][0]
                tzids[id(line)] = line.params.get("TZID", [None])[0]
        # Registers each VTIMEZONE (they come first) and converts every value, failing here if any is bad.
        cal.transformChildrenToNative()
    except Exception as e:  # noqa: BLE001 - any rejection is reported
        print(f"vobject rejected the feed: {e!r}", file=sys.stderr)
        sys.exit(4)

    def first(component, name):
        values = component.contents.get(name.lower())
        return values[0] if values else None

    def value(component, name):
        line = first(component, name)
        return None if line is None else line.value

    def instant(line):
        return iso(line.value), tzids[id(line)]

    events = []
    for ev in cal.contents.get("vevent", []):
        start, start_tzid = instant(first(ev, "DTSTART"))
        end, end_tzid = instant(first(ev, "DTEND"))
        agent = first(ev, "X-WFM-AGENT")
        events.append({
            "uid": value(ev, "UID"),
            "start": start,
            "end": end,
            "start_tzid": start_tzid,
            "end_tzid": end_tzid,
            "dtstamp": iso(value(ev, "DTSTAMP")),
            "last_modified": iso(value(ev, "LAST-MODIFIED")),
            "summary": value(ev, "SUMMARY"),
            "description": value(ev, "DESCRIPTION"),
            "location": value(ev, "LOCATION"),
            "categories": [c for line in ev.contents.get("categories", []) for c in line.value],
            "status": value(ev, "STATUS"),
            "sequence": int(value(ev, "SEQUENCE")),
            # vobject does not know X-WFM-AGENT, NAME or X-WR-CALNAME: their values stay escaped.
            "agent": None if agent is None else agent.value,
            "agent_cn": None if agent is None else agent.params.get("CN", [None])[0],
        })
    return {
        "parser": "vobject",
        "version": getattr(vobject, "VERSION", None) or getattr(vobject, "__version__", "?"),
        "prodid": value(cal, "PRODID"),
        "version_property": value(cal, "VERSION"),
        "method": value(cal, "METHOD"),
        "name": value(cal, "NAME"),
        "x_wr_calname": value(cal, "X-WR-CALNAME"),
        "refresh_interval": value(cal, "REFRESH-INTERVAL"),
        "x_published_ttl": value(cal, "X-PUBLISHED-TTL"),
        "unknown_properties_escaped": True,
        "timezones": sorted(str(value(z, "TZID")) for z in cal.contents.get("vtimezone", [])),
        "errors": [],
        "events": events,
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--parser", choices=["icalendar", "vobject"], required=True)
    parser.add_argument("file", help="the .ics file, or - for stdin")
    args = parser.parse_args()
    if args.file == "-":
        data = sys.stdin.buffer.read()
    else:
        with open(args.file, "rb") as f:
            data = f.read()
    # The feed must be UTF-8; decoding strictly is part of the check.
    text = data.decode("utf-8")
    result = check_icalendar(data) if args.parser == "icalendar" else check_vobject(text)
    json.dump(result, sys.stdout, ensure_ascii=False, indent=1)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
