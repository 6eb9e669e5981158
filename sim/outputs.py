"""Names of the output tables: a contract read by the sweep store, the report and users' notebooks.

Stocks are values at the end of the step, flows are counts during the step; all are in people.
"""

KEYS = ("scenario", "seed", "step", "date")

# The four kinds of ISIS-K attack (mechanisms 4, 5 and 8), each a flow; attacks_total is their sum.
ATTACK_FLOWS = ("attacks_ambush", "attacks_mass_casualty", "attacks_leadership", "attacks_elder")

NATIONAL_METRICS = (
    "iskp_members", "iskp_cells", "taliban_strength", "joined_iskp", "joined_taliban",
    *ATTACK_FLOWS, "attacks_total",
    "civilian_deaths", "taliban_deaths", "iskp_deaths", "ejk_killed", "ejk_nonmembers",
    "surrenders", "relapses", "detained", "elders_killed", "provinces_with_iskp", "provinces_with_attacks",
    "mean_grievance", "mean_legitimacy", "salafi_mean_grievance", "salafi_joined_iskp",
    "mean_intelligence",
    "civilian_deaths_shia", "iskp_planners", "iskp_treasury", "left_country", "iskp_abroad", "external_operations",
)
NATIONAL_COLUMNS = KEYS + NATIONAL_METRICS

PROVINCE_METRICS = (
    "iskp_members", "taliban_strength", "attacks_total", "attacks_mass_casualty", "civilian_deaths",
    "ejk_killed", "surrenders", "legitimacy", "grievance",
)
PROVINCE_COLUMNS = KEYS + ("province",) + PROVINCE_METRICS

# Per-province flows counted during a step (people or attacks); national flows are their sums.
FLOWS = ATTACK_FLOWS + (
    "civilian_deaths", "taliban_deaths", "iskp_deaths", "ejk_killed", "ejk_nonmembers",
    "surrenders", "relapses", "detained", "elders_killed", "joined_iskp", "joined_taliban",
    "salafi_joined_iskp", "civilian_deaths_shia", "left_country",
)

# Scheduled-event log (a DataCollector table), one row per event that fired.
EVENT_COLUMNS = ("step", "date", "event", "province", "people", "label")
