"""The one table of model parameters: name, default, unit, allowed range, source.

Every other part of the project (scenario files, ``--set`` overrides, sweep axes, browser
sliders, the ODD document) refers to parameters by these names and is validated against
this table. Sources marked [E] are estimates or free parameters chosen in calibration;
the others cite the literature or the record, with their entry in ``docs/sources.md`` (``docs/sources.md#<key>``).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sim.errors import UserError
from sim.inputs.checks import did_you_mean


@dataclass(frozen=True)
class Param:
    """One model parameter with its meaning, unit, range and source."""

    name: str
    default: Any
    unit: str
    low: float | None
    high: float | None
    group: str
    doc: str
    source: str
    kind: type = float
    behavioural: bool = True  # False for sizes and switches that sensitivity analysis should not vary

    def range_text(self) -> str:
        """The allowed range, as shown in error messages and ``run.py params``."""
        if self.kind is str:
            return "a date YYYY-MM-DD"
        if self.kind is bool:
            return "true or false"
        return f"{self.kind.__name__} in [{self.low:g}, {self.high:g}]"


def _p(name, default, unit, low, high, group, doc, source, kind=float, behavioural=True) -> Param:
    return Param(name, default, unit, low, high, group, doc, source, kind, behavioural)


_TABLE: list[Param] = [
    # --- time, space and scale ------------------------------------------------------------
    _p("start_date", "2021-08-15", "date", None, None, "time",
       "Calendar date of step 0 (the Taliban enter Kabul).", "the Taliban entered Kabul on 15 Aug 2021 (docs/sources.md#bagram2021)", str, False),
    _p("steps", 104, "weeks", 1, 1040, "time",
       "Default horizon: number of weekly steps.", "[E] design choice: two years of weeks, to Aug 2023", int, False),
    _p("scale", 5, "people/agent", 1, 50, "scale",
       "People one Recruit agent stands for. 5 divides every sourced group size (65, 55, 50, 1,800, 2,200).",
       "[E] design choice", int, False),
    _p("recruit_pool", 30000, "people", 1000, 1000000, "scale",
       "Size of the at-risk recruitment pool (young people reachable by recruiters), spread over provinces by population.",
       "[E] free; no sourced figure (the sources of recruits are named, not their number: docs/sources.md#recruitment-money-borders-and-strikes)", int, False),
    # --- initial forces -------------------------------------------------------------------
    _p("iskp_initial_members", 2200, "people", 0, 20000, "init",
       "ISIS-K members on 15 Aug 2021, placed by the province table's presence level.",
       "UN SG S/2022/63 'previous estimate' ~2,200 (docs/sources.md#unsg2022feb)", int, False),
    _p("iskp_core_share", 0.65, "share", 0.0, 1.0, "init",
       "Share of ISIS-K members (and returning escapees) whose home is in the core provinces Kunar, Nangarhar, Nuristan.",
       "EUAA 2023 citing UN: 'bulk of ISKP fighters' in rural Kunar, Nangarhar, possibly Nuristan (docs/sources.md#euaa2023); UN MT Jan 2020: ~2,100 of ~2,500 in Kunar (docs/sources.md#unmt2020jan)"),
    _p("iskp_cell_size", 50, "people", 5, 500, "init",
       "Members per ISIS-K cell at initialisation; cells larger than twice this split.",
       "[E]; UN MT Jan 2020 reports a covert cell of up to 25 in Faryab (docs/sources.md#unmt2020jan)", int),
    _p("taliban_strength", 70000, "fighters", 1000, 300000, "init",
       "Taliban fighters at the start, spread over units by province population.",
       "UN estimate ~70,000 via WSJ, Nov 2021 (docs/sources.md#wsj2021); UN MT 58,000-100,000 (docs/sources.md#unmt1988_2021)", int, False),
    _p("taliban_units", 102, "units", 34, 1000, "init",
       "Number of Taliban units (every province has at least one).", "[E]", int, False),
    _p("elders_per_province", 3, "elders", 1, 30, "init",
       "Tribal elders / elder councils per province.", "[E]; Geller & Moss 2008 (docs/sources.md#geller2008)", int, False),
    _p("salafi_share_core", 0.30, "share", 0.0, 1.0, "init",
       "Share of the pool that is Salafi in Nangarhar, Kunar and Nuristan.",
       "[E]; EUAA 2024: 'several hundred thousand', mainly Nangarhar, Kunar, Nuristan (docs/sources.md#euaa2024)"),
    _p("salafi_share_other", 0.03, "share", 0.0, 1.0, "init",
       "Share of the pool that is Salafi in Kunduz and Badakhshan (profiled from 2023) and elsewhere x0.3.",
       "[E]; EUAA 2024 (docs/sources.md#euaa2024)"),
    _p("presence_weight_low", 1.0, "weight", 0.0, 100.0, "init",
       "Relative weight of a province with low 2021-22 ISIS-K presence when placing members, escapees and foreign fighters (none = 0).",
       "[E]; provinces.csv iskp_presence levels (provinces_SOURCES.md)"),
    _p("presence_weight_medium", 3.0, "weight", 0.0, 100.0, "init",
       "Relative placement weight of a province with medium ISIS-K presence.", "[E]; provinces.csv iskp_presence"),
    _p("presence_weight_high", 12.0, "weight", 0.0, 100.0, "init",
       "Relative placement weight of a province with high ISIS-K presence.", "[E]; provinces.csv iskp_presence"),
    _p("ideology_beta_a", 2.0, "1", 0.1, 20.0, "init",
       "First shape of the Beta distribution of recruits' ideology (mean a / (a + b)).", "[E]; a right-skewed creed, few hardliners"),
    _p("ideology_beta_b", 5.0, "1", 0.1, 20.0, "init",
       "Second shape of the Beta distribution of recruits' ideology.", "[E]"),
    _p("salafi_share_elsewhere", 0.3, "x salafi_share_other", 0.0, 1.0, "init",
       "Salafi share outside the core and Kunduz/Badakhshan, as a multiple of salafi_share_other.",
       "[E]; EUAA 2024 (docs/sources.md#euaa2024)"),
    _p("cell_initial_exposure", 0.2, "0-1", 0.0, 1.0, "init",
       "Exposure of a new ISIS-K cell (how known it is to the Taliban).", "[E]"),
    _p("presence_radius", 2, "cells", 1, 6, "init",
       "Radius of the Moore window over which Taliban control and ISIS-K influence are summed.", "[E]", int),
    _p("control_scale", 2000.0, "fighters", 100.0, 20000.0, "init",
       "Taliban fighters within presence_radius that give control 1 - 1/e (control = 1 - exp(-fighters / scale)).", "[E]"),
    _p("influence_scale", 100.0, "people", 10.0, 2000.0, "init",
       "ISIS-K members within presence_radius that give influence 1 - 1/e.", "[E]"),
    # --- recruitment (mechanism 1) ----------------------------------------------------------
    _p("legitimacy_initial", 0.55, "0-1", 0.0, 1.0, "legitimacy",
       "Taliban legitimacy in every province at the start.", "[E]; Epstein 2002 uses L=0.8 (docs/sources.md#epstein2002)"),
    _p("activation_threshold", 0.10, "0-1", 0.0, 1.0, "recruitment",
       "T in Epstein's rule G - R*P > T.", "Epstein 2002; Mesa active_threshold=0.1 (docs/sources.md#mesa_epstein)"),
    _p("arrest_k", 2.3, "1", 0.0, 10.0, "recruitment",
       "k in P = 1 - exp(-k * C/A) (round(C/A) only in the docking configuration).", "Epstein 2002; Mesa arrest_prob_constant=2.3 (docs/sources.md#mesa_epstein)"),
    _p("vision", 2, "cells", 1, 6, "recruitment",
       "Radius (Moore, 20 km cells) within which recruits weigh Taliban against ISIS-K presence.",
       "[E]; near-repeat range ~20 km (Chuang et al. 2019, docs/sources.md#chuang2019)", int),
    _p("cop_strength", 120.0, "fighters", 2.0, 2000.0, "recruitment",
       "Taliban fighters that count as one 'cop' C against one ISIS-K member (a person) in the arrest-probability ratio C/A.",
       "[E] calibrated as 600 fighters per member agent of 5 people, i.e. 120 per person"),
    _p("ideology_weight", 0.35, "1", 0.0, 2.0, "recruitment",
       "Weight of a recruit's ideology beside its grievance in ISIS-K's pull.", "[E] calibrated"),
    _p("victory_dampening", 0.40, "0-1", 0.0, 1.0, "recruitment",
       "How much the Taliban's victory lowers ISIS-K's appeal, per unit of Taliban legitimacy in the province.",
       "article, Clash of ideas: 'uphill struggle to attract new supporters' (docs/sources.md#kamel2021)"),
    _p("taliban_pragmatism", 0.20, "0-1", 0.0, 1.0, "recruitment",
       "Perceived Taliban pragmatism (Doha, airport security with the US) raising ISIS-K's appeal, per unit of the recruit's ideology.",
       "article: 'ISIS-Khorasan accused the Afghan movement of cooperating with the United States' (docs/sources.md#kamel2021)"),
    _p("recruit_contact_rate", 0.012, "1/week", 0.0, 1.0, "recruitment",
       "Chance per week that a willing civilian within a cell's reach is actually recruited.", "[E] calibrated"),
    _p("recruit_radius", 2, "cells", 0, 6, "recruitment",
       "Reach of a cell's recruiters.", "[E]", int),
    _p("hardliner_ideology", 0.5, "0-1", 0.0, 1.0, "recruitment",
       "Ideology above which a recruit is a hardliner, drawn by the visibility of spectacular attacks.", "[E]; Bloom 2004 (docs/sources.md#bloom2004)"),
    _p("taliban_recruit_rate", 0.004, "1/week", 0.0, 0.2, "recruitment",
       "Weekly hazard scale of a civilian joining the Taliban when legitimacy exceeds grievance.", "[E]"),
    # --- Salafi pool (mechanism 2) ---------------------------------------------------------
    _p("salafi_persecution", 0.30, "0-1", 0.0, 1.0, "salafi",
       "Intensity of Taliban persecution of Salafis (closing mosques and madrassas, arrests).",
       "article: 'The Taliban has even begun to persecute members of the Afghan Salafi community' (docs/sources.md#kamel2021); EUAA 2024 (docs/sources.md#euaa2024)"),
    _p("persecution_backfire", 0.03, "1/week", 0.0, 0.5, "salafi",
       "Anger a persecuted Salafi gains per week at full persecution (Bennett's anger update).",
       "[E]; Bennett 2008 anger form (docs/sources.md#bennett2008); Sayed 2021 (docs/sources.md#sayed2021)"),
    _p("persecution_deterrence", 0.50, "0-1", 0.0, 1.0, "salafi",
       "Extra perceived risk of a persecuted Salafi at full persecution.", "[E]; Epstein 2002 deterrence (docs/sources.md#epstein2002)"),
    _p("salafi_ideology_bonus", 0.25, "0-1", 0.0, 1.0, "salafi",
       "Extra ideological receptiveness of Salafi recruits.", "[E]; IQNA: 'most ISIS members are from the Afghan Salafi sect' (weak; docs/sources.md#iqna)"),
    _p("salafi_profiling", 2.0, "1", 0.0, 10.0, "salafi",
       "Extra weight of Salafis among civilians taken for suspects near a raid, per unit of salafi_persecution.",
       "[E]; HRW 2022: Salafis profiled as ISIS-K suspects"),
    # --- prison escape (mechanism 3) --------------------------------------------------------
    _p("escapee_ideology", 0.80, "0-1", 0.0, 1.0, "escape",
       "Mean ideology of escaped ISIS-K prisoners.", "[E]; 'many of them returned to the ranks' (article, docs/sources.md#kamel2021)"),
    _p("escapee_anger", 0.50, "0-1", 0.0, 1.0, "escape",
       "Anger escaped prisoners carry out of prison.", "[E]; Epstein: jailed agents 'emerge as aggrieved as they went in' (docs/sources.md#epstein2002)"),
    _p("escapee_presence_floor", 0.05, "weight", 0.0, 5.0, "escape",
       "Placement weight added to every province when escapees go home (none recorded is not proof of absence).",
       "[E]; provinces_SOURCES.md"),
    # --- attacks (mechanisms 4, 5) ---------------------------------------------------------
    _p("ambush_rate", 0.107, "1/week", 0.0, 1.0, "attacks",
       "Chance per week that a cell with a Taliban unit within reach ambushes it.", "[E] calibrated on P1"),
    _p("ambush_reach", 2, "cells", 0, 6, "attacks",
       "Distance at which a cell can strike a unit.", "[E]", int),
    _p("ambush_cost", 0.142, "resource units", 0.0, 5.0, "attacks",
       "Resources an ambush consumes (IEDs, weapons, transport): funding limits the attack rate.",
       "[E]; UN MT Feb 2021: 'insufficient funding' (docs/sources.md#unmt2021feb)"),
    _p("initial_resources", 0.6, "resource units", 0.0, 10.0, "init",
       "Upper bound of what each starting cell brings to the group treasury (uniform draw).",
       "[E]; UN MT Feb 2021: 'degraded combat capability ... insufficient funding' (docs/sources.md#unmt2021feb)"),
    _p("ambush_lethality", 1.15, "deaths/attack", 0.0, 20.0, "attacks",
       "Expected Taliban deaths per ambush with full surprise.", "[E]; mostly IEDs (ExTrac Sep 2021, docs/sources.md#extrac2021)"),
    _p("ambush_counterfire", 0.13, "share", 0.0, 1.0, "attacks",
       "Expected share of an ambushing cell's members lost to return fire without surprise.", "[E]; Deitchman 1962 area fire (docs/sources.md#deitchman1962)"),
    _p("ambush_civilian_harm", 0.4, "deaths/attack", 0.0, 20.0, "attacks",
       "Expected civilian deaths per ambush (IEDs on roads and markets).", "[E]"),
    _p("near_repeat", 1.0, "1", 0.0, 5.0, "attacks",
       "Boost of attack chance per unit of recent violence nearby (self-excitation).",
       "Chuang et al. 2019: IS near-repeat within 20 km and ~10 weeks (P11; docs/sources.md#chuang2019)"),
    _p("near_repeat_radius", 2, "cells", 0, 6, "attacks",
       "Radius around a cell within which recent violence raises its attack chance (near-repeat); the default "
       "equals ambush_reach, so a cell reads the violence where its targets are.",
       "Chuang et al. 2019: IS near-repeat within ~20 km of an attack (docs/sources.md#chuang2019); [E] plus the reach of a cell's strikes", int),
    _p("ambush_surprise_floor", 0.5, "1", 0.0, 2.0, "attacks",
       "Taliban deaths per ambush scale with (this + surprise), surprise = 1 - the unit's intelligence.",
       "[E]; Deitchman 1962 aimed fire"),
    _p("violence_per_attack", 1.0, "1", 0.0, 10.0, "attacks",
       "Violence marked on the grid by an ambush, an elder killing or an external strike (read by near-repeat, legitimacy).",
       "[E]"),
    _p("violence_decay", 0.10, "1/week", 0.01, 1.0, "attacks",
       "Weekly decay of the grid's memory of violence.", "~10-week memory: IS near-repeat ~10 weeks (Chuang et al. 2019, docs/sources.md#chuang2019)"),
    _p("hp_rate", 0.034, "1/week", 0.0, 1.0, "attacks",
       "Chance per week that a cell able to mount a high-profile attack does so, while prepared attacks are left (hp_capacity).", "[E] calibrated on P6"),
    _p("hp_min_members", 40, "people", 5, 1000, "attacks",
       "Members a cell needs to mount a high-profile attack.", "[E]; 4-5 attackers in Kandahar/hospital (docs/sources.md#kandahar2021, docs/sources.md#hospital2021)", int),
    _p("hp_cost", 1.0, "resource units", 0.0, 10.0, "attacks",
       "Resources a high-profile attack consumes.", "[E]"),
    _p("hp_reach", 12, "cells", 0, 60, "attacks",
       "Distance (20 km cells) to the city a cell can strike.", "[E]; Kabul, Kunduz, Kandahar struck in 2021 (docs/sources.md#the-big-attacks-of-2021)", int),
    _p("hp_leadership_share", 0.30, "share", 0.0, 1.0, "attacks",
       "Share of high-profile attacks aimed at Taliban leaders (Eidgah, military hospital).",
       "2 of 6 big 2021 attacks (Eidgah, military hospital: docs/sources.md#the-big-attacks-of-2021)"),
    _p("mass_casualty_deaths", 40.0, "deaths", 1.0, 500.0, "attacks",
       "Median civilians killed by a mass-casualty attack (lognormal, sigma 0.7).",
       "Kunduz 46, Kandahar 35-65, hospital 19-25, airport >=170 (docs/sources.md#the-big-attacks-of-2021)"),
    _p("leadership_deaths", 8.0, "deaths", 0.0, 100.0, "attacks",
       "Median people killed by a leadership attack (half Taliban, half civilians).",
       "Eidgah 2-12, hospital 19-25 (docs/sources.md#eidgah2021, docs/sources.md#hospital2021)"),
    _p("hp_visibility_gain", 0.04, "appeal", 0.0, 0.5, "attacks",
       "Appeal gained among hardliners (ideology > 0.5) per high-profile attack.", "Bloom 2004 (docs/sources.md#bloom2004); Conrad & Greene 2015 (docs/sources.md#conrad2015)"),
    _p("hp_support_loss", 0.10, "0-1", 0.0, 1.0, "attacks",
       "Local support ISIS-K loses in the struck province per mass-casualty attack on its own (Sunni) constituency.", "Zahedzadeh (docs/sources.md#zahedzadeh)"),
    _p("sectarian_targeting", 0.67, "share", 0.0, 1.0, "attacks",
       "Chance that a mass-casualty attack in a province with a Shia (Hazara) community strikes that community "
       "rather than ISIS-K's own Sunni constituency (then no local support is lost).",
       "2 of the 3 mass-casualty attacks on civilians in 2021 hit Shia mosques (Kunduz, Kandahar; docs/sources.md#the-big-attacks-of-2021)"),
    _p("hp_capacity", 0.5, "attacks/week", 0.0, 5.0, "attacks",
       "High-profile attacks ISIS-K's full planning cadre can prepare per week (Poisson mean); the group-level "
       "limit, whatever the number of cells.",
       "[E]; record Aug-Dec 2021: 4 mass-casualty + 2 leadership attacks in ~20 weeks, 0.3/week (P6; docs/sources.md#the-big-attacks-of-2021)"),
    _p("planner_exposure", 1.0, "1", 0.0, 20.0, "attacks",
       "How much likelier a planner is to be seized or killed than the rank and file when a raid or strike hits "
       "an urban cell (the cadre is spread over the urban cells).",
       "[E]; Johnston 2012: decapitation lowers the frequency and intensity of insurgent attacks (docs/sources.md#johnston2012)"),
    _p("planner_rebuild", 0.02, "1/week", 0.0, 1.0, "attacks",
       "Weekly share of the missing planning cadre that is rebuilt.",
       "[E]; Jordan 2014: religious groups with community support survive decapitation and regroup (docs/sources.md#jordan2014)"),
    _p("hp_external_share", 0.1, "share", 0.0, 1.0, "attacks",
       "Share of the high-profile attacks the cadre prepares that are external operations (abroad), counted "
       "apart from attacks in Afghanistan.",
       "[E]; Sep 2021: ISIS-K claimed 3 attacks in Pakistan beside its Afghan campaign (ExTrac, docs/sources.md#extrac2021)"),
    _p("planner_urban_radius", 1, "cells", 0, 5, "attacks",
       "Distance from a province's city cell within which a cell counts as urban, where planners sit.", "[E]", int),
    _p("violence_per_hp_attack", 3.0, "1", 0.0, 30.0, "attacks",
       "Violence marked on the grid by a high-profile attack.", "[E]"),
    _p("hp_deaths_sigma", 0.7, "log deaths", 0.0, 3.0, "attacks",
       "Spread (lognormal sigma) of deaths per high-profile attack around its mean.", "[E]; heavy-tailed deaths (P6)"),
    _p("leadership_intel_retained", 0.9, "share", 0.0, 1.0, "attacks",
       "Share of their intelligence the province's units keep after a leadership attack (chain of command disrupted).", "[E]"),
    _p("visibility_decay", 0.10, "1/week", 0.0, 1.0, "attacks",
       "Weekly decay of ISIS-K's visibility among hardliners.", "[E]"),
    _p("support_recovery", 0.02, "1/week", 0.0, 1.0, "attacks",
       "Weekly recovery of ISIS-K's local support toward 1 after mass-casualty attacks.", "[E]"),
    _p("resource_income", 0.08, "units/week", 0.0, 2.0, "attacks",
       "Resources ISIS-K's treasury gathers per week per iskp_cell_size members (extortion, smuggling, donations): paid per person, so splitting a cell creates no money.", "[E]"),
    # --- counter-insurgency (mechanism 6) ---------------------------------------------------
    _p("detection_base", 0.129, "1/week", 0.0, 2.0, "coin",
       "Detection hazard of a fully exposed cell by a unit with intelligence 1.", "[E] calibrated on P8"),
    _p("intelligence_initial", 0.30, "0-1", 0.0, 1.0, "coin",
       "Intelligence of Taliban units at the start.", "[E]; Kress & Szechtman 2009 (docs/sources.md#kress2009)"),
    _p("intelligence_gain", 0.10, "1/cell", 0.0, 1.0, "coin",
       "Hazard of new province intelligence per cell's worth of detainees and surrendered, and per unit of elder cooperation.",
       "[E]; Kress & Szechtman 2009 (docs/sources.md#kress2009)"),
    _p("intelligence_decay", 0.02, "1/week", 0.0, 0.5, "coin",
       "Weekly share of a province's intelligence that goes stale.", "[E]; Kress & Szechtman 2009 (docs/sources.md#kress2009)"),
    _p("rollup_share", 0.05, "per person", 0.0, 1.0, "coin",
       "Chance that a captured or surrendered member gives up the nearest other cell of his province.",
       "[E]; Nangarhar surrenders run by the intelligence department (docs/sources.md#surrenders)"),
    _p("detection_floor", 0.05, "0-1", 0.0, 1.0, "coin",
       "Visibility of a cell that has not acted (exposure adds to it): quiet cells can still be found.", "[E]"),
    _p("suspect_radius", 2, "cells", 0, 5, "coin",
       "Radius around a raid within which civilians are taken for suspects.", "[E]", int),
    _p("detection_reference_strength", 500.0, "fighters", 10.0, 10000.0, "coin",
       "Unit strength at which size neither raises nor lowers detection (factor sqrt(strength / this)).", "[E]"),
    _p("detection_size_cap", 2.0, "1", 0.1, 10.0, "coin",
       "Largest factor by which a big unit's size raises its detection hazard.", "[E]"),
    _p("exposure_gain", 0.15, "per attack", 0.0, 1.0, "coin",
       "Exposure a cell gains per attack it mounts.", "[E]"),
    _p("exposure_decay", 0.08, "1/week", 0.0, 1.0, "coin",
       "Weekly decay of a cell's exposure when it lies low.", "[E]"),
    _p("raid_capture", 0.30, "share", 0.0, 1.0, "coin",
       "Share of a detected cell's members seized in a raid.", "[E]; Bennett 2008 effectiveness 0.8 per hit (docs/sources.md#bennett2008)"),
    _p("ejk_share", 0.40, "share", 0.0, 1.0, "coin",
       "Share of seized suspects killed extrajudicially rather than detained.",
       "HRW 2022 (docs/sources.md#hrw2022); UNAMA 2022 (docs/sources.md#unama2022); lever of iron fist"),
    _p("ejk_accuracy", 0.84, "share", 0.05, 1.0, "coin",
       "Share of those killed who are members (Bennett's accuracy); the rest are civilians from the pool.",
       "[E] free: no source gives the share of non-members among those killed (docs/sources.md#hrw2022, docs/sources.md#unama2022)"),
    _p("detention_weeks", 26, "weeks", 1, 520, "coin",
       "Weeks a detainee is held before release (Epstein's jail term).", "[E]; Epstein J_max (docs/sources.md#epstein2002)", int),
    _p("anger_gain", 0.01, "1/death", 0.0, 1.0, "coin",
       "Anger gained per person killed nearby: A += gain * n * (1 - A).",
       "Bennett 2008 Eq. (anger 0.05 per civilian hurt) (docs/sources.md#bennett2008); calibrated as 0.05 per agent of 5 people, i.e. 0.01 per person"),
    _p("harm_radius", 1, "cells", 0, 5, "coin",
       "Radius around a killing within which civilians are angered.", "Bennett 2008 interaction range (docs/sources.md#bennett2008)", int),
    _p("anger_decay", 0.01, "1/week", 0.0, 0.5, "coin",
       "Weekly decay of anger.", "[E]"),
    # --- surrender, monitoring, relapse (mechanism 7) ------------------------------------------
    _p("elder_influence", 0.50, "0-1", 0.0, 1.0, "surrender",
       "Mean influence of tribal elders.", "[E]; Nangarhar deal brokered by elders (article, docs/sources.md#kamel2021; docs/sources.md#surrender2021oct)"),
    _p("elder_stance_taliban", 0.65, "0-1", 0.0, 1.0, "surrender",
       "Initial mean stance of elders toward the Taliban (1 = fully cooperating).", "[E]"),
    _p("surrender_rate", 0.39, "1/week", 0.0, 2.0, "surrender",
       "Weekly hazard scale of a member taking an elder's terms (x influence x stance x amnesty x pressure x (1 - ideology) x (1 - hardliner resolve)).",
       "[E] 1.18 x 0.33: the P9-calibrated cell hazard x share of the former cell-level form, per member"),
    _p("amnesty", 0.50, "0-1", 0.0, 1.0, "surrender",
       "Generosity of the terms offered (pardon under conditions); lever of elder amnesty.",
       "Nangarhar 'conditional pardon' (docs/sources.md#surrender2021nov)"),
    _p("hardliner_resolve", 0.8, "0-1", 0.0, 1.0, "surrender",
       "How much less likely a foreign fighter or ex-prisoner is to take the terms (factor 1 - this).",
       "[E]; surrendered groups were local Nangarhar men (docs/sources.md#surrenders)"),
    _p("pressure_decay", 0.10, "1/week", 0.0, 1.0, "surrender",
       "Weekly decay of a cell's accumulated pressure (the share of members lost to raids and fire).", "[E]"),
    _p("monitoring", 0.70, "0-1", 0.0, 1.0, "surrender",
       "Strength of Taliban intelligence monitoring of the surrendered.",
       "article: 'closely monitored by Taliban intelligence' (docs/sources.md#kamel2021; terms: docs/sources.md#surrender2022feb)"),
    _p("relapse_rate", 0.0066, "1/week", 0.0, 0.5, "surrender",
       "Weekly relapse hazard of a surrendered recruit with grievance 1 and no monitoring.",
       "[E] free: no source gives a relapse rate (docs/sources.md#surrender2022feb)"),
    # --- elders (mechanism 8) -------------------------------------------------------------
    _p("elder_intel_weight", 1.0, "1", 0.0, 5.0, "elders",
       "Weight of elders' cooperation (mean influence x stance) in the growth of province intelligence.", "[E]"),
    _p("elder_replacement_rate", 0.04, "1/week", 0.0, 1.0, "elders",
       "Weekly hazard that a killed elder council is replaced by a successor (stance = local legitimacy).",
       "[E]; Geller & Moss 2008, the qawm regenerates (docs/sources.md#geller2008)"),
    _p("elder_attack_rate", 0.01, "1/week", 0.0, 0.5, "elders",
       "Chance per week that a cell kills a pro-Taliban elder in its province.", "[E]"),
    _p("elder_harm_sensitivity", 0.004, "1/death", 0.0, 0.5, "elders",
       "Loss of elder stance toward the Taliban per extrajudicial killing of a non-member (a person) in the province.",
       "[E] calibrated as 0.02 per agent of 5 people"),
    _p("elder_intimidation", 0.05, "0-1", 0.0, 1.0, "elders",
       "Stance toward the Taliban each surviving elder of a province loses when ISIS-K kills an elder there.", "[E]"),
    _p("elder_stance_drift", 0.02, "1/week", 0.0, 1.0, "elders",
       "Weekly speed at which an elder's stance moves toward the province's legitimacy.", "[E]"),
    # --- movement (mechanism 9) -----------------------------------------------------------
    _p("cell_move_prob", 0.30, "1/week", 0.0, 1.0, "movement",
       "Chance per week that a cell under pressure moves (evasion) or seeks recruits.", "[E]"),
    _p("unit_mobile_share", 0.30, "share", 0.0, 1.0, "movement",
       "Share of Taliban units that redeploy toward known ISIS-K presence (within unit_leash of their post).", "[E]"),
    _p("unit_speed", 2, "cells/week", 0, 10, "movement",
       "Cells a mobile unit moves per week.", "[E]", int),
    _p("cell_move_radius", 2, "cells", 1, 6, "movement",
       "How far a cell moves in a week, and how far a split-off cell settles.", "[E]", int),
    _p("cell_pressed_exposure", 0.5, "0-1", 0.0, 1.0, "movement",
       "Exposure above which a cell counts as pressed (it then moves to evade, as after losses).", "[E]"),
    _p("cell_exit_exposure", 0.6, "0-1", 0.0, 1.0, "movement",
       "Exposure above which a cell in a border province may leave Afghanistan (its chance grows to cell_exit_rate at exposure 1).",
       "[E]; ISIS-K's cross-border links and safe havens in Pakistan's north-west (docs/sources.md#extrac2021)"),
    _p("cell_exit_rate", 0.1, "1/week", 0.0, 1.0, "movement",
       "Weekly chance that a fully exposed cell in a border province leaves the country (members counted as abroad).",
       "[E]"),
    _p("cell_calm_move_factor", 0.3, "share", 0.0, 1.0, "movement",
       "Chance of moving of a cell that is not pressed, as a share of cell_move_prob.", "[E]"),
    _p("cell_control_aversion", 0.5, "1", 0.0, 5.0, "movement",
       "Weight of Taliban control against grievance when an unpressed cell picks ground.", "[E]"),
    _p("unit_sense_radius", 4, "cells", 1, 10, "movement",
       "Radius over which mobile units sum the ISIS-K presence they know of (members x province intelligence).", "[E]", int),
    _p("unit_leash", 4, "cells", 0, 20, "movement",
       "Farthest a mobile unit moves from its post: mobility reinforces the ground a unit holds.", "[E]", int),
    # --- external actors (mechanism 10) -----------------------------------------------------
    _p("external_strikes", 0.0, "strikes/week", 0.0, 10.0, "external",
       "External (e.g. US) strikes on ISIS-K cells per week.", "article: 'join the column of Afghanistan's neighbors' (docs/sources.md#kamel2021)"),
    _p("strike_kill_share", 0.30, "share", 0.0, 1.0, "external",
       "Share of a struck cell's members killed.", "[E]"),
    _p("strike_collateral", 10.0, "deaths/strike", 0.0, 50.0, "external",
       "Expected civilian deaths per external strike.",
       "US drone strike in Kabul, 29 Aug 2021: 10 civilians killed (Pentagon review, docs/sources.md#strike2021); the one post-withdrawal strike"),
    _p("border_interdiction", 0.0, "0-1", 0.0, 1.0, "external",
       "Share of foreign fighters and supplies stopped at the borders (Russia/Tajikistan exercises).",
       "article: Russia's exercises with Tajikistan along the border (docs/sources.md#kamel2021)"),
    _p("foreign_fighter_inflow", 5.0, "people/week", 0.0, 200.0, "external",
       "Foreign fighters reaching border provinces per week without interdiction.",
       "UN SG S/2022/63: 'only small numbers' of foreign fighters arrived (docs/sources.md#unsg2022feb)"),
    _p("foreign_resource_inflow", 0.5, "units/week", 0.0, 10.0, "external",
       "Resources reaching cells in border provinces per week without interdiction.", "[E]; no sourced figure"),
    _p("foreign_support_taliban", 0.0, "0-1", 0.0, 1.0, "external",
       "Foreign support to the Taliban, raising their capacity and legitimacy.",
       "article: 'whether the new regime can obtain support from abroad is still unclear' (docs/sources.md#kamel2021)"),
    _p("external_support_iskp", 0.0, "0-1", 0.0, 1.0, "external",
       "External support to ISIS-K: money for recruits and attacks.", "WSJ: ISKP 'provides large sums of money for their new recruits' (docs/sources.md#wsj2021)"),
    _p("border_presence_floor", 0.5, "weight", 0.0, 20.0, "external",
       "Placement weight added to every border province for foreign fighters (on top of its presence weight).", "[E]"),
    _p("foreign_fighter_ideology", 0.85, "0-1", 0.0, 1.0, "external",
       "Mean ideology of arriving foreign fighters (committed volunteers).", "[E]"),
    _p("iskp_support_income_gain", 2.0, "1", 0.0, 10.0, "external",
       "Relative rise of a cell's income per unit of external_support_iskp.", "[E]; WSJ: 'large sums of money' (docs/sources.md#wsj2021)"),
    _p("foreign_legitimacy_bonus", 0.15, "0-1", 0.0, 1.0, "external",
       "Legitimacy target gained with full foreign support to the Taliban (recognition, aid).", "[E]"),
    # --- legitimacy (mechanism 11) -------------------------------------------------------------
    _p("legitimacy_rate", 0.05, "1/week", 0.0, 1.0, "legitimacy",
       "Weekly speed at which legitimacy moves toward its security-driven target.", "[E]"),
    _p("legitimacy_security_gain", 0.15, "0-1", 0.0, 1.0, "legitimacy",
       "Legitimacy gained where there is no recent violence.", "[E]; Lemos 2018 endogenous legitimacy (docs/sources.md#lemos2018)"),
    _p("legitimacy_harm", 0.02, "per death/100k", 0.0, 1.0, "legitimacy",
       "Legitimacy lost per civilian death per 100,000 inhabitants.", "[E]"),
    _p("legitimacy_ejk_penalty", 0.0008, "per killing", 0.0, 0.1, "legitimacy",
       "Legitimacy lost in a province per extrajudicial killing (a person) there.",
       "[E] calibrated as 0.004 per agent of 5 people; HRW 2022 (docs/sources.md#hrw2022)"),
    _p("taliban_reinforcement", 0.01, "1/week", 0.0, 0.5, "coin",
       "Weekly share of a unit's losses made good by reinforcement.", "[E]; Kress & Szechtman reinforcement (docs/sources.md#kress2009)"),
]

PARAMS: dict[str, Param] = {p.name: p for p in _TABLE}


class ParameterError(UserError, ValueError):
    """A parameter name or value that the table does not allow."""


def coerce(name: str, value: Any, where: str = "") -> Any:
    """Return ``value`` converted to the parameter's type, or raise ParameterError naming the range."""
    where = f" in {where}" if where else ""
    if name not in PARAMS:
        raise ParameterError(f"Unknown parameter '{name}'{where}.{did_you_mean(name, PARAMS)} "
                             f"`python run.py params` lists all {len(PARAMS)} parameters.")
    p = PARAMS[name]
    if p.kind is str:
        try:
            dt.date.fromisoformat(str(value))
        except ValueError:
            raise ParameterError(f"Parameter '{name}'{where} is '{value}', which is not {p.range_text()}.") from None
        return str(value)
    if isinstance(value, str):
        try:
            value = float(value)
        except ValueError:
            raise ParameterError(f"Parameter '{name}'{where} is '{value}', not a number; allowed: {p.range_text()}.") from None
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ParameterError(f"Parameter '{name}'{where} has type {type(value).__name__}; allowed: {p.range_text()}.")
    if p.kind is int:
        if float(value) != int(value):
            raise ParameterError(f"Parameter '{name}'{where} is {value}, not a whole number; allowed: {p.range_text()}.")
        value = int(value)
    else:
        value = float(value)
    if not (p.low <= value <= p.high):
        raise ParameterError(f"Parameter '{name}'{where} is {value:g}, outside the allowed range: {p.range_text()} ({p.unit}).")
    return value


def defaults() -> dict[str, Any]:
    """All parameters at their default values."""
    return {p.name: p.default for p in _TABLE}


def resolve(overrides: dict[str, Any] | None = None, where: str = "") -> dict[str, Any]:
    """Defaults updated with validated overrides."""
    values = defaults()
    for k, v in (overrides or {}).items():
        values[k] = coerce(k, v, where)
    return values


def parse_sets(items: list[str] | None) -> dict[str, str]:
    """``--set name=value`` pairs as a dict (values are validated against the parameter table later)."""
    out = {}
    for item in items or []:
        if "=" not in item:
            raise UserError(f"--set '{item}' is not of the form name=value (e.g. --set amnesty=0.8).")
        k, v = item.split("=", 1)
        k = k.strip()
        if k in out:
            raise UserError(f"--set gives '{k}' twice ({out[k]} and {v.strip()}); give each parameter once "
                            f"(a sweep takes several values in one --set, e.g. --set {k}=a,b,c).")
        out[k] = v.strip()
    return out
