#!/usr/bin/env node
// Parse an iCalendar feed with Mozilla's ical.js and print what it read, as JSON.
//
// Usage: node tests/peers/ical_check.mjs FILE|-
//
// Used by crates/ical-feed/tests/peers.rs, which compares the output field by field with the
// shifts the feed was written from. Exit code 0 with JSON on stdout; 3 if ical.js is missing
// (run `npm ci` in tests/peers); 4 if ical.js rejects the feed.
//
// ical.js has no tz database: every VTIMEZONE of the feed is registered under its TZID, and a
// TZID time is turned into an instant from that VTIMEZONE alone. Instants are reported in UTC.

import { readFileSync } from "node:fs";

let ICAL;
try {
  ({ default: ICAL } = await import("ical.js"));
} catch (e) {
  console.error(`ical.js is missing (${e.message}): run \`npm ci\` in tests/peers`);
  process.exit(3);
}

const file = process.argv[2];
if (!file) {
  console.error("usage: node tests/peers/ical_check.mjs FILE|-");
  process.exit(2);
}
const bytes = readFileSync(file === "-" ? 0 : file);
// The feed must be UTF-8: decode strictly.
const text = new TextDecoder("utf-8", { fatal: true }).decode(bytes);

function iso(seconds) {
  return new Date(seconds * 1000).toISOString().replace(".000Z", "Z");
}

let result;
try {
  const cal = new ICAL.Component(ICAL.parse(text));
  const timezones = [];
  for (const vtz of cal.getAllSubcomponents("vtimezone")) {
    const tz = new ICAL.Timezone(vtz);
    ICAL.TimezoneService.register(tz, tz.tzid);
    timezones.push(tz.tzid);
  }
  const instant = (prop) => {
    const time = prop.getFirstValue();
    const tzid = prop.getParameter("tzid") ?? null;
    if (tzid !== null && time.zone?.tzid !== tzid) {
      throw new Error(`TZID ${tzid} did not resolve to its VTIMEZONE`);
    }
    return [iso(time.toUnixTime()), tzid];
  };
  const value = (comp, name) => {
    const prop = comp.getFirstProperty(name);
    return prop === null ? null : prop.getFirstValue();
  };
  const stamp = (comp, name) => iso(comp.getFirstPropertyValue(name).toUnixTime());
  const events = cal.getAllSubcomponents("vevent").map((ev) => {
    const [start, startTzid] = instant(ev.getFirstProperty("dtstart"));
    const [end, endTzid] = instant(ev.getFirstProperty("dtend"));
    const agent = ev.getFirstProperty("x-wfm-agent");
    return {
      uid: value(ev, "uid"),
      start,
      end,
      start_tzid: startTzid,
      end_tzid: endTzid,
      dtstamp: stamp(ev, "dtstamp"),
      last_modified: stamp(ev, "last-modified"),
      summary: value(ev, "summary"),
      description: value(ev, "description"),
      location: value(ev, "location"),
      categories: ev.getAllProperties("categories").flatMap((p) => p.getValues()),
      status: value(ev, "status"),
      sequence: value(ev, "sequence"),
      agent: agent === null ? null : agent.getFirstValue(),
      agent_cn: agent === null ? null : (agent.getParameter("cn") ?? null),
    };
  });
  const raw = (name) => {
    const prop = cal.getFirstProperty(name);
    return prop === null ? null : String(prop.getFirstValue());
  };
  result = {
    parser: "ical.js",
    version: "2.2.1",
    prodid: raw("prodid"),
    version_property: raw("version"),
    method: raw("method"),
    name: raw("name"),
    x_wr_calname: raw("x-wr-calname"),
    refresh_interval: raw("refresh-interval"),
    x_published_ttl: raw("x-published-ttl"),
    timezones: timezones.sort(),
    errors: [],
    events,
  };
} catch (e) {
  console.error(`ical.js rejected the feed: ${e.stack ?? e}`);
  process.exit(4);
}
process.stdout.write(JSON.stringify(result, null, 1) + "\n");
