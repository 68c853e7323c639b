#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Writes the sample leads batch-runnerd ships (data/daemon/sample-leads.csv)
# to standard output:
#
#   sh data/daemon/generate-sample-leads.sh > data/daemon/sample-leads.csv
#
# POSIX sh + awk only, because the machines that regenerate it may have
# neither Python nor gawk. The output is committed; the script is here so
# the data can be reviewed and changed on purpose rather than by hand.
#
# Deterministic: awk's rand() differs between mawk, gawk and busybox, so a
# Park-Miller generator (exact in double precision) drives every choice,
# and the UUIDs come from a stream of their own, in row order.
# Re-importing the file therefore updates the same leads instead of adding
# new ones, and adding a column here does not change any lead's id.
#
# Everything is fictional: companies and people are made up, and every
# domain and email address is under the reserved .example TLD (RFC 2606),
# so nothing here can reach a real organisation.

set -eu

N=${1:-2000}

LC_ALL=C awk -v n="$N" '
function rnd() {
  seed = (seed * 16807) % 2147483647
  return seed
}
function pick(k) { return rnd() % k }
function frac() { return rnd() / 2147483647 }

function hex4(s,    v) {
  v = s % 65536
  return sprintf("%04x", v)
}

# Version-4 layout (version nibble 4, variant 8-b), from a stream of its
# own so that no other choice in this script moves the id of a lead.
function urnd() {
  useed = (useed * 48271) % 2147483647
  return useed
}
function uuid_next(    h, k) {
  for (k = 1; k <= 8; k++)
    h[k] = hex4(urnd())
  return h[1] h[2] "-" h[3] "-4" substr(h[4], 2) "-" \
         substr("89ab", (urnd() % 4) + 1, 1) substr(h[5], 2) "-" h[6] h[7] h[8]
}

function csv(s) {
  if (s ~ /[",\r\n]/) {
    gsub(/"/, "\"\"", s)
    return "\"" s "\""
  }
  return s
}

# "Display:slug" for words whose slug is not simply their lower-case form.
function display(w) { sub(/:.*/, "", w); return w }
function slug(w) {
  if (w ~ /:/) { sub(/^[^:]*:/, "", w); return w }
  w = tolower(w)
  gsub(/[^a-z0-9]+/, "-", w)
  return w
}

function load(list, arr, sep,    k, m, parts) {
  m = split(list, parts, sep == "" ? "," : sep)
  for (k = 1; k <= m; k++)
    arr[k - 1] = parts[k]
  return m
}

BEGIN {
  seed = 20260101
  useed = 1234567

  n_first = load("Northwind,Bluefin,Silverline,Redwood,Brightwater,Ironbark,Cedarline,Harborview," \
                 "Summitridge,Granite Peak,Aurora,Beaconfield,Copperleaf,Driftwood,Evergreen,Falconcrest," \
                 "Foxglove,Glacier Bay,Hollowell,Juniper,Kestrel,Lakeshore,Larkspur,Maplecrest," \
                 "Meadowlark,Nightingale,Oakhaven,Orchard Lane,Pinecone,Quarry Hill,Ravenswood,Riverbend," \
                 "Saltmarsh,Sandpiper,Stonebridge,Sunnyvale Row,Tamarack,Thistledown,Tidewater,Timberline," \
                 "Upland,Valleyforge,Westbrook,Willowmere,Windward,Yellowpine,Zephyr,Amberfield," \
                 "Blackthorn,Bramblewood,Clearwater,Coldspring,Dovetail,Emberglow,Fernhill,Goldcrest," \
                 "Greystone,Highmoor,Ivybridge,Kingfisher,Lumière:lumiere,Müllerhof:mullerhof,Søndervig:sondervig," \
                 "Mac'\''s:macs,Tallgrass,Wrenfield,Halcyon,Marigold,Oxbow,Pemberton", first)

  n_ind = load("manufacturing,healthcare,fintech,retail,logistics,education,energy,saas,media,hospitality", industry)
  nouns["manufacturing"] = "Robotics,Machining,Fabrication,Components,Industrial,Tooling,Castings,Plastics"
  nouns["healthcare"] = "Health,Clinics,Diagnostics,Medical,Care,Therapeutics,Biolabs,Dental"
  nouns["fintech"] = "Pay,Capital,Ledger,Lending,Finance,Payments,Wealth,Credit"
  nouns["retail"] = "Outfitters,Market,Goods,Home,Apparel,Supply,Boutique,Mercantile"
  nouns["logistics"] = "Freight,Logistics,Shipping,Transport,Cargo,Fleet,Couriers,Warehousing"
  nouns["education"] = "Learning,Academy,Tutoring,Education,Schools,Courseware,Campus,Training"
  nouns["energy"] = "Energy,Solar,Power,Wind,Grid,Renewables,Utilities,Hydro"
  nouns["saas"] = "Software,Cloud,Analytics,Systems,Labs,Data,Apps,Platforms"
  nouns["media"] = "Media,Studios,Publishing,Pictures,Broadcasting,Press,Audio,Creative"
  nouns["hospitality"] = "Hotels,Hospitality,Resorts,Inns,Kitchens,Catering,Travel,Suites"

  n_given = load("Alice,Robert,Priya,José:jose,Zoë:zoe,Łukasz:lukasz,Søren:soren,Ngozi,Aiko,Mateo," \
                 "Hannah,Omar,Fatima,Liam,Chen,Grace,Ivan,Amara,Noah,Elena," \
                 "Kwame,Sofia,Daniel,Mei,Lucas,Aisha,Tomás:tomas,Ingrid,Rahul,Claire," \
                 "Yusuf,Nora,Felix,Leila,Marcus,Yuki,Olga,Samuel,Camille,Diego", given)
  n_family = load("Smith,Garcia,Müller:muller,O'\''Brien:obrien,Nguyen,Okafor,Tanaka,Kowalski,Rossi,Patel," \
                  "Johansson,Dubois,Silva,Kim,Novak,Haddad,Andersen,Moreau,Schmidt,Costa," \
                  "Ibrahim,Larsen,Fischer,Mendes,Sato,Walsh,Hughes,Brennan,Lindqvist,Papadopoulos," \
                  "Mensah,Reyes,Yamamoto,Kaur,Petrov,Bianchi,Dahl,Chowdhury,Ortiz,Fitzgerald", family)
  nick["Robert"] = "Bob"; nick["Daniel"] = "Dan"; nick["Samuel"] = "Sam"; nick["Elena"] = "Lena"

  n_legal = load("|||||||||, Inc.|, Inc.| Inc.| Inc.| LLC| LLC| Ltd| Ltd| GmbH| S.A.| Group", legal, "|")
  n_source = load("web_form,web_form,web_form,web_form,web_form,web_form,trade_show,trade_show,trade_show," \
                  "referral,referral,referral,partner,partner,partner,cold_outreach,cold_outreach," \
                  "cold_outreach,webinar,webinar", source)
  split("31,28,31,30,31,30,31,31,30,31,30,31", mdays, ",")

  print "id,company_name,domain,email,contact_name,source,industry,enrichment_status,created_at"

  for (i = 0; i < n; i++) {
    ind = industry[pick(n_ind)]
    m = split(nouns[ind], nl, ",")

    # Company names are unique, so are their domains.
    do {
      f = first[pick(n_first)]
      noun = nl[pick(m) + 1]
      base = display(f) " " noun
      dom = slug(f) "-" tolower(noun)
      gsub(/ /, "-", dom)
    } while (dom in seen)
    seen[dom] = 1
    company = base legal[pick(n_legal)]
    dom = dom ".example"

    # About 2% (every 50th lead) point at a domain the built-in report
    # processor treats as unreachable: it fails them with a clear error
    # (the site cannot be analysed), so a demo batch shows failures,
    # retries and the error summary. They are valid leads for import.
    if (i % 50 == 37)
      dom = "unreachable-" dom

    g = given[pick(n_given)]
    fam = family[pick(n_family)]
    contact = display(g) " " display(fam)
    if ((display(g) in nick) && pick(5) == 0)
      contact = display(g) " \"" nick[display(g)] "\" " display(fam)
    email = slug(g) "." slug(fam) "@" dom

    # Some leads lack a contact (no email: contact_verification is not
    # needed) and a few are known only by an email address.
    r = pick(100)
    domain = dom
    if (r < 6) {
      email = ""
      contact = ""
    } else if (r < 9) {
      email = ""
    } else if (r < 12 && dom !~ /^unreachable-/) {
      domain = ""
    }

    r = frac()
    status = r < 0.5 ? "pending" : (r < 0.8 ? "partial" : "completed")

    day = pick(365)
    for (mo = 1; day >= mdays[mo]; mo++)
      day -= mdays[mo]
    created = sprintf("2025-%02d-%02dT%02d:%02d:%02dZ", mo, day + 1, 7 + pick(12), pick(60), pick(60))

    id = uuid_next()
    if (id in ids) {
      print "duplicate id " id > "/dev/stderr"
      exit 1
    }
    ids[id] = 1

    print id "," csv(company) "," domain "," email "," csv(contact) "," source[pick(n_source)] "," \
          ind "," status "," created
  }
}'
