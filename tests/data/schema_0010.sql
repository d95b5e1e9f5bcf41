BEGIN TRANSACTION;
CREATE TABLE alembic_version (
	version_num VARCHAR(32) NOT NULL, 
	CONSTRAINT alembic_version_pkc PRIMARY KEY (version_num)
);
INSERT INTO "alembic_version" VALUES('0010');
CREATE TABLE checklist_answers (
	id INTEGER NOT NULL, 
	lead_id INTEGER NOT NULL, 
	criterion VARCHAR(40) NOT NULL, 
	established BOOLEAN NOT NULL, 
	note VARCHAR NOT NULL, 
	rep_id INTEGER NOT NULL, 
	answered_at DATETIME NOT NULL, 
	rules_version_id INTEGER NOT NULL, 
	CONSTRAINT pk_checklist_answers PRIMARY KEY (id), 
	CONSTRAINT fk_checklist_answers_lead_id_leads FOREIGN KEY(lead_id) REFERENCES leads (id), 
	CONSTRAINT fk_checklist_answers_rep_id_reps FOREIGN KEY(rep_id) REFERENCES reps (id), 
	CONSTRAINT fk_checklist_answers_rules_version_id_rules_versions FOREIGN KEY(rules_version_id) REFERENCES rules_versions (id)
);
INSERT INTO "checklist_answers" VALUES(1,1,'vertical',1,'manufacturing',1,'2026-11-02 15:00:00.000000',1);
CREATE TABLE desk_settings (
	"key" VARCHAR(40) NOT NULL, 
	value VARCHAR NOT NULL, 
	CONSTRAINT pk_desk_settings PRIMARY KEY ("key")
);
CREATE TABLE do_not_call (
	phone_e164 VARCHAR(20) NOT NULL, 
	added_at DATETIME NOT NULL, 
	added_by VARCHAR NOT NULL, 
	reason VARCHAR NOT NULL, 
	source VARCHAR NOT NULL, 
	CONSTRAINT pk_do_not_call PRIMARY KEY (phone_e164)
);
INSERT INTO "do_not_call" VALUES('+12025550143','2026-11-02 15:00:00.000000','ops','asked','qualdesk dnc add');
CREATE TABLE export_batches (
	id INTEGER NOT NULL, 
	created_at DATETIME NOT NULL, 
	created_by VARCHAR NOT NULL, 
	file_path VARCHAR NOT NULL, 
	format VARCHAR(10) NOT NULL, 
	profile VARCHAR(20) NOT NULL, 
	lead_count INTEGER NOT NULL, 
	sha256 VARCHAR(64) NOT NULL, 
	rules_version_id INTEGER, 
	content BLOB, 
	destination VARCHAR(10) DEFAULT 'sales' NOT NULL, 
	CONSTRAINT pk_export_batches PRIMARY KEY (id), 
	CONSTRAINT fk_export_batches_rules_version_id_rules_versions FOREIGN KEY(rules_version_id) REFERENCES rules_versions (id)
);
CREATE TABLE feedback_batches (
	id INTEGER NOT NULL, 
	file_name VARCHAR NOT NULL, 
	file_path VARCHAR NOT NULL, 
	sha256 VARCHAR(64) NOT NULL, 
	received_at DATETIME NOT NULL, 
	received_by VARCHAR NOT NULL, 
	rows_read INTEGER NOT NULL, 
	accepted INTEGER NOT NULL, 
	rejected INTEGER NOT NULL, 
	unchanged INTEGER NOT NULL, 
	refused INTEGER NOT NULL, 
	rejects_file VARCHAR, 
	pending INTEGER DEFAULT '0' NOT NULL, 
	outcomes INTEGER DEFAULT '0' NOT NULL, 
	CONSTRAINT pk_feedback_batches PRIMARY KEY (id)
);
CREATE TABLE handoffs (
	id INTEGER NOT NULL, 
	batch_id INTEGER NOT NULL, 
	lead_id INTEGER NOT NULL, 
	handed_off_at DATETIME NOT NULL, 
	rules_version_id INTEGER NOT NULL, 
	score INTEGER NOT NULL, 
	grade VARCHAR(1) NOT NULL, 
	CONSTRAINT pk_handoffs PRIMARY KEY (id), 
	CONSTRAINT fk_handoffs_batch_id_export_batches FOREIGN KEY(batch_id) REFERENCES export_batches (id), 
	CONSTRAINT fk_handoffs_lead_id_leads FOREIGN KEY(lead_id) REFERENCES leads (id), 
	CONSTRAINT fk_handoffs_rules_version_id_rules_versions FOREIGN KEY(rules_version_id) REFERENCES rules_versions (id)
);
CREATE TABLE hours_classes (
	id INTEGER NOT NULL, 
	zones VARCHAR NOT NULL, 
	jurisdiction VARCHAR(6) NOT NULL, 
	CONSTRAINT pk_hours_classes PRIMARY KEY (id), 
	CONSTRAINT uq_hours_classes_zones_jurisdiction UNIQUE (zones, jurisdiction)
);
INSERT INTO "hours_classes" VALUES(1,'Europe/London','GB');
INSERT INTO "hours_classes" VALUES(2,'America/New_York','US-FL');
INSERT INTO "hours_classes" VALUES(3,'America/Adak America/Anchorage America/Anguilla America/Antigua America/Barbados America/Boise America/Cayman America/Chicago America/Denver America/Dominica America/Edmonton America/Fort_Nelson America/Grand_Turk America/Grenada America/Halifax America/Jamaica America/Juneau America/Los_Angeles America/Lower_Princes America/Montserrat America/Nassau America/New_York America/North_Dakota/Center America/Phoenix America/Port_of_Spain America/Puerto_Rico America/Regina America/Santo_Domingo America/St_Johns America/St_Kitts America/St_Lucia America/St_Thomas America/St_Vincent America/Toronto America/Tortola America/Vancouver America/Winnipeg Atlantic/Bermuda Pacific/Guam Pacific/Honolulu Pacific/Pago_Pago Pacific/Saipan','US');
CREATE TABLE import_batches (
	id INTEGER NOT NULL, 
	file_name VARCHAR NOT NULL, 
	file_path VARCHAR NOT NULL, 
	sha256 VARCHAR(64) NOT NULL, 
	source VARCHAR NOT NULL, 
	campaign VARCHAR NOT NULL, 
	region VARCHAR NOT NULL, 
	encoding VARCHAR NOT NULL, 
	delimiter VARCHAR NOT NULL, 
	imported_by VARCHAR NOT NULL, 
	started_at DATETIME NOT NULL, 
	finished_at DATETIME NOT NULL, 
	rows_read INTEGER NOT NULL, 
	imported INTEGER NOT NULL, 
	duplicates INTEGER NOT NULL, 
	rejected INTEGER NOT NULL, 
	blank INTEGER NOT NULL, 
	dnc INTEGER NOT NULL, 
	shared_phone INTEGER NOT NULL, 
	emails_invalid INTEGER NOT NULL, 
	unknown_columns JSON NOT NULL, 
	rejects_file VARCHAR, 
	status VARCHAR(10) NOT NULL, 
	undone_at DATETIME, 
	undone_removed INTEGER NOT NULL, 
	undone_kept INTEGER NOT NULL, 
	CONSTRAINT pk_import_batches PRIMARY KEY (id)
);
INSERT INTO "import_batches" VALUES(1,'expo.csv','/tmp/tmp87a35jas/expo.csv','4ed9a9f86d11d7b768584e18aeac7abb6cdb399f9fe92ac5ad2540fb8923f6fb','Trade show','','','utf-8',',','ops','2026-11-02 15:00:00.000000','2026-11-02 15:00:00.000000',5,4,0,1,0,0,2,0,'["Booth"]','/tmp/tmp87a35jas/expo.rejects.csv','done',NULL,0,0);
CREATE TABLE import_issues (
	id INTEGER NOT NULL, 
	batch_id INTEGER NOT NULL, 
	line INTEGER NOT NULL, 
	kind VARCHAR(10) NOT NULL, 
	reason VARCHAR NOT NULL, 
	cells JSON NOT NULL, 
	duplicate_of INTEGER, 
	CONSTRAINT pk_import_issues PRIMARY KEY (id), 
	CONSTRAINT fk_import_issues_batch_id_import_batches FOREIGN KEY(batch_id) REFERENCES import_batches (id)
);
INSERT INTO "import_issues" VALUES(1,1,5,'rejected','phone ''4.15555E+09'' was turned into scientific notation by a spreadsheet','["Bad Row", "Acme", "", "", "4.15555E+09", "US", ""]',NULL);
CREATE TABLE lead_changes (
	id INTEGER NOT NULL, 
	lead_id INTEGER NOT NULL, 
	field VARCHAR(20) NOT NULL, 
	old TEXT NOT NULL, 
	new TEXT NOT NULL, 
	rep_id INTEGER, 
	changed_by VARCHAR NOT NULL, 
	reason VARCHAR NOT NULL, 
	changed_at DATETIME NOT NULL, 
	CONSTRAINT pk_lead_changes PRIMARY KEY (id), 
	CONSTRAINT fk_lead_changes_lead_id_leads FOREIGN KEY(lead_id) REFERENCES leads (id), 
	CONSTRAINT fk_lead_changes_rep_id_reps FOREIGN KEY(rep_id) REFERENCES reps (id)
);
CREATE TABLE leads (
	id INTEGER NOT NULL, 
	batch_id INTEGER, 
	created_at DATETIME NOT NULL, 
	updated_at DATETIME NOT NULL, 
	name VARCHAR NOT NULL, 
	first_name VARCHAR NOT NULL, 
	last_name VARCHAR NOT NULL, 
	company VARCHAR NOT NULL, 
	title VARCHAR NOT NULL, 
	email VARCHAR, 
	phone_raw VARCHAR NOT NULL, 
	phone_e164 VARCHAR(20) NOT NULL, 
	phone_ext VARCHAR(10), 
	alt_phone_e164 VARCHAR(20), 
	alt_phone_ext VARCHAR(10), 
	match_key VARCHAR NOT NULL, 
	region VARCHAR(3) NOT NULL, 
	jurisdiction VARCHAR(6) NOT NULL, 
	time_zones VARCHAR NOT NULL, 
	hours_class_id INTEGER, 
	source VARCHAR NOT NULL, 
	campaign VARCHAR NOT NULL, 
	industry VARCHAR NOT NULL, 
	company_size VARCHAR NOT NULL, 
	extra JSON NOT NULL, 
	shares_phone BOOLEAN NOT NULL, 
	stage VARCHAR(16) NOT NULL, 
	stage_reason VARCHAR NOT NULL, 
	owner_id INTEGER, 
	callback_at DATETIME, 
	callback_owner_only BOOLEAN NOT NULL, 
	claimed_by INTEGER, 
	claim_token VARCHAR(32), 
	claim_expires_at DATETIME, 
	next_due_at DATETIME, 
	queue_bucket INTEGER, 
	queue_order INTEGER NOT NULL, 
	attempts INTEGER NOT NULL, 
	last_attempt_at DATETIME, 
	first_touch_at DATETIME, 
	score INTEGER NOT NULL, 
	grade VARCHAR(1) NOT NULL, 
	qualified_at DATETIME, 
	handoff_batch_id INTEGER, 
	sales_verdict VARCHAR(10), 
	sales_reason VARCHAR NOT NULL, 
	verdict_at DATETIME, 
	arrived_at DATETIME, 
	touch_count INTEGER NOT NULL, 
	touch_channels VARCHAR NOT NULL, 
	outcome VARCHAR(12), 
	outcome_cents BIGINT, 
	outcome_on DATE, 
	first_call_at DATETIME, 
	last_rep_id INTEGER, 
	reached_at DATETIME, 
	CONSTRAINT pk_leads PRIMARY KEY (id), 
	CONSTRAINT fk_leads_batch_id_import_batches FOREIGN KEY(batch_id) REFERENCES import_batches (id), 
	CONSTRAINT fk_leads_hours_class_id_hours_classes FOREIGN KEY(hours_class_id) REFERENCES hours_classes (id), 
	CONSTRAINT fk_leads_owner_id_reps FOREIGN KEY(owner_id) REFERENCES reps (id), 
	CONSTRAINT fk_leads_claimed_by_reps FOREIGN KEY(claimed_by) REFERENCES reps (id), 
	CONSTRAINT fk_leads_handoff_batch_id_export_batches FOREIGN KEY(handoff_batch_id) REFERENCES export_batches (id)
);
INSERT INTO "leads" VALUES(1,1,'2026-11-02 15:00:00.000000','2026-11-02 15:00:00.000000','Ada Lovelace','Ada','Lovelace','Analytical Ltd','CTO','ada@example.com','+44 20 7946 0958','+442079460958',NULL,NULL,NULL,'n:ada lovelace','GB','GB','Europe/London',1,'Trade show','','','','{"Booth": "7", "Country": "UK"}',0,'new','',NULL,NULL,0,NULL,NULL,NULL,'2026-11-02 15:00:00.000000',1,-1793631600,0,NULL,NULL,0,'D',NULL,NULL,NULL,'',NULL,NULL,1,'phone',NULL,NULL,NULL,'2026-11-02 15:00:00.000000',1,NULL);
INSERT INTO "leads" VALUES(2,1,'2026-11-02 15:00:00.000000','2026-11-02 15:00:00.000000','','','','Switchboard Corp','',NULL,'+1 305 555 0123','+13055550123',NULL,NULL,NULL,'c:switchboard corp','US','US-FL','America/New_York',2,'Trade show','','','','{"Country": "US"}',1,'new','',NULL,NULL,0,NULL,NULL,NULL,'2026-11-02 15:00:00.000000',1,-1793631600,0,NULL,NULL,0,'D',NULL,NULL,NULL,'',NULL,NULL,0,'',NULL,NULL,NULL,NULL,NULL,NULL);
INSERT INTO "leads" VALUES(3,1,'2026-11-02 15:00:00.000000','2026-11-02 15:00:00.000000','Grace Hopper','Grace','Hopper','Navy','Admiral','grace@example.com','+1 305 555 0123','+13055550123',NULL,NULL,NULL,'n:grace hopper','US','US-FL','America/New_York',2,'Trade show','','','','{"Country": "US"}',1,'new','',NULL,NULL,0,NULL,NULL,NULL,'2026-11-02 15:00:00.000000',1,-1793631600,0,NULL,NULL,0,'D',NULL,NULL,NULL,'',NULL,NULL,0,'',NULL,NULL,NULL,NULL,NULL,NULL);
INSERT INTO "leads" VALUES(4,1,'2026-11-02 15:00:00.000000','2026-11-02 15:00:00.000000','Tolly Free','Tolly','Free','Freephone Inc','',NULL,'+1 800 555 0199','+18005550199',NULL,NULL,NULL,'n:tolly free','US','US','America/Adak America/Anchorage America/Anguilla America/Antigua America/Barbados America/Boise America/Cayman America/Chicago America/Denver America/Dominica America/Edmonton America/Fort_Nelson America/Grand_Turk America/Grenada America/Halifax America/Jamaica America/Juneau America/Los_Angeles America/Lower_Princes America/Montserrat America/Nassau America/New_York America/North_Dakota/Center America/Phoenix America/Port_of_Spain America/Puerto_Rico America/Regina America/Santo_Domingo America/St_Johns America/St_Kitts America/St_Lucia America/St_Thomas America/St_Vincent America/Toronto America/Tortola America/Vancouver America/Winnipeg Atlantic/Bermuda Pacific/Guam Pacific/Honolulu Pacific/Pago_Pago Pacific/Saipan',3,'Trade show','','','','{"Country": "US"}',0,'new','',NULL,NULL,0,NULL,NULL,NULL,'2026-11-02 15:00:00.000000',1,-1793631600,0,NULL,NULL,0,'D',NULL,NULL,NULL,'',NULL,NULL,0,'',NULL,NULL,NULL,NULL,NULL,NULL);
CREATE TABLE note_drafts (
	lead_id INTEGER NOT NULL, 
	rep_id INTEGER NOT NULL, 
	text TEXT NOT NULL, 
	saved_at DATETIME NOT NULL, 
	CONSTRAINT pk_note_drafts PRIMARY KEY (lead_id, rep_id), 
	CONSTRAINT fk_note_drafts_lead_id_leads FOREIGN KEY(lead_id) REFERENCES leads (id), 
	CONSTRAINT fk_note_drafts_rep_id_reps FOREIGN KEY(rep_id) REFERENCES reps (id)
);
INSERT INTO "note_drafts" VALUES(3,1,'asked for the CFO','2026-11-02 15:00:00.000000');
CREATE TABLE nurture_handoffs (
	id INTEGER NOT NULL, 
	batch_id INTEGER NOT NULL, 
	lead_id INTEGER NOT NULL, 
	decision_id INTEGER, 
	handed_off_at DATETIME NOT NULL, 
	stage VARCHAR(16) NOT NULL, 
	score INTEGER NOT NULL, 
	grade VARCHAR(1) NOT NULL, 
	CONSTRAINT pk_nurture_handoffs PRIMARY KEY (id), 
	CONSTRAINT fk_nurture_handoffs_batch_id_export_batches FOREIGN KEY(batch_id) REFERENCES export_batches (id), 
	CONSTRAINT fk_nurture_handoffs_lead_id_leads FOREIGN KEY(lead_id) REFERENCES leads (id), 
	CONSTRAINT fk_nurture_handoffs_decision_id_routing_decisions FOREIGN KEY(decision_id) REFERENCES routing_decisions (id)
);
CREATE TABLE rep_lead_totals (
	rep_id INTEGER NOT NULL, 
	channel VARCHAR(16) NOT NULL, 
	leads INTEGER NOT NULL, 
	CONSTRAINT pk_rep_lead_totals PRIMARY KEY (rep_id, channel), 
	CONSTRAINT fk_rep_lead_totals_rep_id_reps FOREIGN KEY(rep_id) REFERENCES reps (id)
);
INSERT INTO "rep_lead_totals" VALUES(1,'phone',1);
INSERT INTO "rep_lead_totals" VALUES(1,'*',1);
CREATE TABLE rep_touch_totals (
	rep_id INTEGER NOT NULL, 
	channel VARCHAR(16) NOT NULL, 
	disposition VARCHAR(32) NOT NULL, 
	touches INTEGER NOT NULL, 
	seconds INTEGER NOT NULL, 
	CONSTRAINT pk_rep_touch_totals PRIMARY KEY (rep_id, channel, disposition), 
	CONSTRAINT fk_rep_touch_totals_rep_id_reps FOREIGN KEY(rep_id) REFERENCES reps (id)
);
INSERT INTO "rep_touch_totals" VALUES(1,'phone','no_answer',1,30);
CREATE TABLE reps (
	id INTEGER NOT NULL, 
	handle VARCHAR(40) NOT NULL, 
	name VARCHAR NOT NULL, 
	role VARCHAR(10) NOT NULL, 
	active BOOLEAN NOT NULL, 
	time_zone VARCHAR(64) NOT NULL, 
	created_at DATETIME NOT NULL, 
	CONSTRAINT pk_reps PRIMARY KEY (id), 
	CONSTRAINT uq_reps_handle UNIQUE (handle)
);
INSERT INTO "reps" VALUES(1,'ana','Ana Reyes','rep',1,'America/New_York','2026-11-02 15:00:00.000000');
INSERT INTO "reps" VALUES(2,'lee','Lee Morgan','lead',1,'Europe/London','2026-11-02 15:00:00.000000');
CREATE TABLE reviews (
	id INTEGER NOT NULL, 
	lead_id INTEGER NOT NULL, 
	verdict_id INTEGER NOT NULL, 
	reviewer_id INTEGER NOT NULL, 
	valid BOOLEAN NOT NULL, 
	note VARCHAR NOT NULL, 
	decided_at DATETIME NOT NULL, 
	CONSTRAINT pk_reviews PRIMARY KEY (id), 
	CONSTRAINT fk_reviews_lead_id_leads FOREIGN KEY(lead_id) REFERENCES leads (id), 
	CONSTRAINT uq_reviews_verdict_id UNIQUE (verdict_id), 
	CONSTRAINT fk_reviews_verdict_id_sales_verdicts FOREIGN KEY(verdict_id) REFERENCES sales_verdicts (id), 
	CONSTRAINT fk_reviews_reviewer_id_reps FOREIGN KEY(reviewer_id) REFERENCES reps (id)
);
CREATE TABLE routing_decisions (
	id INTEGER NOT NULL, 
	lead_id INTEGER NOT NULL, 
	touch_id INTEGER, 
	rep_id INTEGER, 
	route VARCHAR(16) NOT NULL, 
	proposed_route VARCHAR(16) NOT NULL, 
	reason VARCHAR NOT NULL, 
	overridden BOOLEAN NOT NULL, 
	rules_version_id INTEGER NOT NULL, 
	decided_at DATETIME NOT NULL, 
	CONSTRAINT pk_routing_decisions PRIMARY KEY (id), 
	CONSTRAINT fk_routing_decisions_lead_id_leads FOREIGN KEY(lead_id) REFERENCES leads (id), 
	CONSTRAINT fk_routing_decisions_touch_id_touches FOREIGN KEY(touch_id) REFERENCES touches (id), 
	CONSTRAINT fk_routing_decisions_rep_id_reps FOREIGN KEY(rep_id) REFERENCES reps (id), 
	CONSTRAINT fk_routing_decisions_rules_version_id_rules_versions FOREIGN KEY(rules_version_id) REFERENCES rules_versions (id)
);
INSERT INTO "routing_decisions" VALUES(1,1,1,1,'working','working','retry per cadence',0,1,'2026-11-02 15:00:00.000000');
CREATE TABLE rules_versions (
	id INTEGER NOT NULL, 
	loaded_at DATETIME NOT NULL, 
	loaded_by VARCHAR NOT NULL, 
	source VARCHAR NOT NULL, 
	sha256 VARCHAR(64) NOT NULL, 
	text TEXT NOT NULL, 
	CONSTRAINT pk_rules_versions PRIMARY KEY (id)
);
INSERT INTO "rules_versions" VALUES(1,'2026-11-02 15:00:00.000000','qualdesk','built-in default (data/desk.toml)','c975de5cebf15fbea6ca3166b25861fdf3e30a5260dc637652aa0fd8c79f84dd','# qualdesk desk rules: the universal lead definition and the desk''s policy.
#
# Load a changed copy with `qualdesk rules load FILE`; every rep''s desk then
# uses the new version, and every routing decision records which version it
# used. `qualdesk rules show` prints the version in force.

[desk]
name = "Qualification desk"
# Region used to read phone numbers written without a +country code,
# when the row has no country column and the import gives no --region.
default_region = "US"
# Speed to lead: every new lead gets its first touch within this many hours,
# counted only while the lead may be called (its calling hours, below), from
# the lead''s own creation time when marketing''s file gives one (a Created
# Date column), else from its import. A lead that arrives at 20:50 its time
# is not late at 08:30 the next morning.
speed_to_lead_hours = 4
# Which touches meet it: a call attempt ("phone": a call the lead makes to
# the desk counts too), or also another channel.
speed_to_lead_channels = ["phone"]
# Channels a rep can log a touch on (the phone is always available).
channels = ["phone", "email", "linkedin", "sms"]

# The universal lead definition: what a rep establishes on the call.
# Keys 1-9 and 0 on the call card toggle criteria 1-10, in this order.
[[criteria]]
key = "vertical"
label = "Vertical"
prompt = "Which industry are they in (SIC/NAICS code if known)?"
points = 10

[[criteria]]
key = "firmographics"
label = "Firmographics"
prompt = "Revenue, number of employees, number of locations?"
points = 10

[[criteria]]
key = "decision_makers"
label = "Decision makers"
prompt = "Who decides and who influences, and in which roles?"
points = 15

[[criteria]]
key = "environment"
label = "Environment"
prompt = "What must the solution fit into (systems, vendors, constraints)?"
points = 5

[[criteria]]
key = "engagement"
label = "DM engagement"
prompt = "How engaged is the decision maker (aware, interested, driving)?"
points = 10

[[criteria]]
key = "pains"
label = "Business pains"
prompt = "Which pains did they name, and did they confirm them?"
points = 15
required = true

[[criteria]]
key = "process"
label = "Decision process"
prompt = "How will they decide: steps, people, dates?"
points = 10

[[criteria]]
key = "budget"
label = "Budget"
prompt = "Is budget allocated, or is the way to get one known?"
points = 10

[[criteria]]
key = "competition"
label = "Competition"
prompt = "Who else are they looking at, or using today?"
points = 5

[[criteria]]
key = "urgency"
label = "Urgency"
prompt = "Why now: a deadline, an event, a cost of waiting?"
points = 10

# Points for facts marketing already delivered, matched case-insensitively.
[[firmographic_points]]
field = "title"
contains = ["chief", "vp", "vice president", "head of", "director", "owner", "founder"]
points = 10

[[firmographic_points]]
field = "company_size"
at_least = 200
points = 5

[qualification]
# Qualification decides the route; the grade ([grades] below) does not.
# When a connected call ends, a lead that meets the definition goes to sales
# and one that does not goes to nurture, whatever its grade. The definition
# joins two tests:
#   count: at least min_established criteria established, every required
#          criterion (required = true above) among them;
#   score: a score of at least min_score (0: the score is no test).
# combine = "and": both must pass (with min_score 0, the count alone decides);
# combine = "or": either is enough (with min_score 0, the count alone decides).
min_established = 4
min_score = 0
combine = "and"

# Minimum score for each grade. The grade is the score cut into bands, and
# nothing else: it never sends a lead to sales or keeps one from it. It sets
# how soon a nurtured lead comes back ([nurture] recycle_days), the order of
# the queue (higher grade first), the follow-up target ([follow_up]) and the
# Rating in the Salesforce hand-off file (A Hot, B Warm, C and D Cold).
# A reader expects A and B at sales and C and D in nurture; when the route
# says otherwise (an A lead missing a required criterion, a C lead meeting
# the definition), the call card and the routing dialog say why in a line.
[grades]
A = 60
B = 40
C = 20
D = 0

# One key per outcome of a call attempt. implies is one of:
#   retry      try again later, per the cadence
#   route      the lead was reached: route by the checklist (sales or nurture)
#   callback   the lead asked to be called at a set time
#   nurture    out of the queue into nurture
#   disqualify out for good (bad data, no fit)
#   dnc        the number goes on the do-not-call list
[[dispositions]]
key = "no_answer"
label = "No answer"
hotkey = "a"
implies = "retry"

[[dispositions]]
key = "busy"
label = "Busy"
hotkey = "b"
implies = "retry"

[[dispositions]]
key = "voicemail"
label = "Voicemail left"
hotkey = "v"
implies = "retry"

[[dispositions]]
key = "wrong_number"
label = "Wrong number"
hotkey = "w"
implies = "disqualify"
reason = "bad data: wrong number"

[[dispositions]]
key = "gatekeeper"
label = "Gatekeeper"
hotkey = "g"
implies = "retry"

[[dispositions]]
key = "connected"
label = "Connected"
hotkey = "c"
connect = true
implies = "route"

[[dispositions]]
key = "callback"
label = "Callback requested"
hotkey = "k"
connect = true
implies = "callback"

[[dispositions]]
key = "not_interested"
label = "Not interested"
hotkey = "x"
connect = true
implies = "nurture"
reason = "not interested now"

[[dispositions]]
key = "do_not_call"
label = "Do not call"
hotkey = "d"
connect = true
implies = "dnc"
reason = "asked not to be called"

[cadence]
# Wait after each unanswered attempt: after the 1st, the 2nd, ...; the last
# spacing repeats if max_attempts is larger.
retry_after = ["2h", "1d", "2d", "3d", "5d"]
# After this many call attempts without reaching anyone: nurture ("unreachable").
max_attempts = 6
# Never two calls to one lead closer than this.
min_gap = "1h"
# A callback only its owner may take goes to any rep once overdue by this much.
callback_grace = "30m"

[nurture]
# Days before a nurtured lead comes back to the desk, by grade.
recycle_days = { A = 14, B = 30, C = 60, D = 90 }

# Calls only inside these hours, in the called person''s local time.
[calling_hours]
start = "08:00"
end = "21:00"
# A number whose time zone cannot be told is offered only after the rep
# confirms it is a sensible time to call.
unknown_zone = "confirm"

# Overrides by jurisdiction: a country (CA) or a state or province (US-FL).
# days is a list such as "mon-fri" or "sat,sun" (every day if left out).
# The most specific rule that matches the day wins, so a state rule that
# opens a day beats a country rule that closes it.
[[calling_hours.rules]]
where = "US-FL"
# Monday to Saturday only: a Florida rule that named Sundays would beat
# the US Sunday closure below, and open them.
days = "mon-sat"
start = "08:00"
end = "20:00"

[[calling_hours.rules]]
where = "CA"
days = "mon-fri"
start = "09:00"
end = "21:30"

[[calling_hours.rules]]
where = "CA"
days = "sat-sun"
start = "10:00"
end = "18:00"

# closed = true: no calls at all on these days (give no start or end then).
# This desk does not call the US on Sundays; delete the rule to call them.
[[calling_hours.rules]]
where = "US"
days = "sun"
closed = true

# Public holidays: no calls on these dates, in the called person''s local
# time, whatever the rules above say. One list per jurisdiction, each entry
# "YYYY-MM-DD Name" (the name is what a rep sees). A date listed for a
# country (US) closes all its states; one listed for a state (US-FL) closes
# only that state. Add next year''s dates, and your own closures, here.
[calling_hours.closed_dates]
# US federal holidays; one that falls on a weekend is observed on the
# Friday before or the Monday after, and that is the date listed.
US = [
    "2026-01-01 New Year''s Day",
    "2026-01-19 Martin Luther King Jr. Day",
    "2026-02-16 Presidents'' Day",
    "2026-05-25 Memorial Day",
    "2026-06-19 Juneteenth",
    "2026-07-03 Independence Day (observed)",
    "2026-09-07 Labor Day",
    "2026-10-12 Columbus Day",
    "2026-11-11 Veterans Day",
    "2026-11-26 Thanksgiving Day",
    "2026-12-25 Christmas Day",
    "2027-01-01 New Year''s Day",
    "2027-01-18 Martin Luther King Jr. Day",
    "2027-02-15 Presidents'' Day",
    "2027-05-31 Memorial Day",
    "2027-06-18 Juneteenth (observed)",
    "2027-07-05 Independence Day (observed)",
    "2027-09-06 Labor Day",
    "2027-10-11 Columbus Day",
    "2027-11-11 Veterans Day",
    "2027-11-25 Thanksgiving Day",
    "2027-12-24 Christmas Day (observed)",
    # New Year''s Day 2028 is a Saturday, observed on the Friday before.
    "2027-12-31 New Year''s Day (observed)",
]

# Caps on calls to one number: at most `calls` calls within any `within`
# (a duration such as "24h" or "7d"), counted per number. The most specific
# cap for the lead''s jurisdiction applies. Florida''s telemarketing law
# limits calls to one number to three within 24 hours.
[[calling_hours.caps]]
where = "US-FL"
calls = 3
within = "24h"

# Sales'' side of the agreement: a verdict on every lead handed off within
# verdict_days working days. Leads still waiting past it are listed by
# `qualdesk stats`, the team view and `qualdesk export --overdue`.
[sales]
verdict_days = 5
working_days = "mon-fri"

# Sales'' words for their verdicts, as their CRM writes them in a verdict
# file''s status column. Case, spacing and punctuation are ignored. A lead
# still open in sales'' system (pending) is counted and left as it is. Add
# your CRM''s own statuses to the right list.
[sales.verdicts]
accepted = [
    "accepted", "accept", "yes", "y", "approved", "ok", "sal", "sales accepted", "true",
    "converted",
    "Closed - Converted",                          # Salesforce Lead Status
    "salesqualifiedlead", "sales qualified lead", "sql", "opportunity", "customer",  # HubSpot
    "evangelist", "OPEN_DEAL",                     # HubSpot
]
rejected = [
    "rejected", "reject", "no", "n", "declined", "denied", "disqualified", "returned", "false",
    "Closed - Not Converted",                      # Salesforce Lead Status
    "unqualified", "BAD_TIMING", "bad timing",     # HubSpot
]
pending = [
    "pending", "open", "working", "new", "in progress",
    "Open - Not Contacted", "Working - Contacted", # Salesforce Lead Status
    "NEW", "OPEN", "IN_PROGRESS", "ATTEMPTED_TO_CONTACT", "CONNECTED",  # HubSpot lead status
    "lead", "marketingqualifiedlead", "subscriber", "other",  # HubSpot lifecycle stages
]

# What an accepted lead became: an opportunity or deal stage (its own column,
# or the status column itself, as HubSpot''s lifecycle stage "customer" says
# won). A won or lost row may carry an amount and a close date.
[sales.outcomes]
opportunity = [
    "opportunity", "open",
    # Salesforce Opportunity stages still open
    "Prospecting", "Qualification", "Needs Analysis", "Value Proposition",
    "Id. Decision Makers", "Perception Analysis", "Proposal/Price Quote", "Negotiation/Review",
    # HubSpot deal stages still open
    "appointmentscheduled", "qualifiedtobuy", "presentationscheduled", "decisionmakerboughtin",
    "contractsent",
    "OPEN_DEAL",                                   # HubSpot lead status: a deal is open
]
won = ["won", "Closed Won", "closedwon", "customer", "evangelist"]
lost = ["lost", "Closed Lost", "closedlost"]

# The desk''s side: follow-up persistence per grade. A lead is on target once
# it has had `touches` touches on at least `channels` channels, or once it
# left the queue after a conversation. `days` is the time the desk has to get
# there: within it, a lead still short has its due retries offered before
# the other retries of its grade; past it, a lead still short counts as
# behind. `qualdesk stats` and the team view count leads on target, under
# target (behind among them), and closed under target (sent to nurture or
# out without a conversation before reaching it).
[follow_up]
A = { touches = 6, days = 14, channels = 2 }
B = { touches = 6, days = 14, channels = 2 }
C = { touches = 3, days = 14, channels = 1 }
D = { touches = 3, days = 14, channels = 1 }
');
CREATE TABLE sales_outcomes (
	id INTEGER NOT NULL, 
	lead_id INTEGER NOT NULL, 
	handoff_id INTEGER, 
	feedback_batch_id INTEGER, 
	line INTEGER NOT NULL, 
	outcome VARCHAR(12) NOT NULL, 
	word VARCHAR NOT NULL, 
	amount_cents BIGINT, 
	closed_on DATE, 
	received_at DATETIME NOT NULL, 
	CONSTRAINT pk_sales_outcomes PRIMARY KEY (id), 
	CONSTRAINT fk_sales_outcomes_lead_id_leads FOREIGN KEY(lead_id) REFERENCES leads (id), 
	CONSTRAINT fk_sales_outcomes_handoff_id_handoffs FOREIGN KEY(handoff_id) REFERENCES handoffs (id), 
	CONSTRAINT fk_sales_outcomes_feedback_batch_id_feedback_batches FOREIGN KEY(feedback_batch_id) REFERENCES feedback_batches (id)
);
CREATE TABLE sales_verdicts (
	id INTEGER NOT NULL, 
	lead_id INTEGER NOT NULL, 
	handoff_id INTEGER, 
	feedback_batch_id INTEGER, 
	line INTEGER NOT NULL, 
	verdict VARCHAR(10) NOT NULL, 
	reason VARCHAR NOT NULL, 
	decided_at DATETIME NOT NULL, 
	received_at DATETIME NOT NULL, 
	CONSTRAINT pk_sales_verdicts PRIMARY KEY (id), 
	CONSTRAINT fk_sales_verdicts_lead_id_leads FOREIGN KEY(lead_id) REFERENCES leads (id), 
	CONSTRAINT fk_sales_verdicts_handoff_id_handoffs FOREIGN KEY(handoff_id) REFERENCES handoffs (id), 
	CONSTRAINT fk_sales_verdicts_feedback_batch_id_feedback_batches FOREIGN KEY(feedback_batch_id) REFERENCES feedback_batches (id)
);
CREATE TABLE touch_pairs (
	rep_id INTEGER NOT NULL, 
	lead_id INTEGER NOT NULL, 
	channel VARCHAR(16) NOT NULL, 
	CONSTRAINT pk_touch_pairs PRIMARY KEY (rep_id, lead_id, channel), 
	CONSTRAINT fk_touch_pairs_rep_id_reps FOREIGN KEY(rep_id) REFERENCES reps (id), 
	CONSTRAINT fk_touch_pairs_lead_id_leads FOREIGN KEY(lead_id) REFERENCES leads (id)
);
INSERT INTO "touch_pairs" VALUES(1,1,'phone');
CREATE TABLE touches (
	id INTEGER NOT NULL, 
	lead_id INTEGER NOT NULL, 
	rep_id INTEGER NOT NULL, 
	channel VARCHAR(16) NOT NULL, 
	disposition VARCHAR(32), 
	notes TEXT NOT NULL, 
	started_at DATETIME NOT NULL, 
	ended_at DATETIME, 
	phone VARCHAR(20), 
	inbound BOOLEAN NOT NULL, 
	CONSTRAINT pk_touches PRIMARY KEY (id), 
	CONSTRAINT fk_touches_lead_id_leads FOREIGN KEY(lead_id) REFERENCES leads (id), 
	CONSTRAINT fk_touches_rep_id_reps FOREIGN KEY(rep_id) REFERENCES reps (id)
);
INSERT INTO "touches" VALUES(1,1,1,'phone','no_answer','rang out','2026-11-02 15:00:00.000000','2026-11-02 15:00:30.000000','+442079460958',0);
CREATE INDEX ix_import_batches_sha256 ON import_batches (sha256);
CREATE INDEX ix_feedback_batches_sha256 ON feedback_batches (sha256);
CREATE INDEX ix_import_issues_batch_id ON import_issues (batch_id);
CREATE INDEX ix_leads_alt_phone_e164 ON leads (alt_phone_e164);
CREATE INDEX ix_leads_waiting ON leads (next_due_at, hours_class_id, queue_bucket) WHERE queue_bucket IS NULL AND next_due_at IS NOT NULL;
CREATE INDEX ix_leads_intake ON leads (created_at, source, campaign, stage, first_touch_at, qualified_at);
CREATE INDEX ix_leads_follow_up ON leads (created_at, grade, stage, touch_count, touch_channels, last_rep_id, reached_at, arrived_at, hours_class_id, first_call_at);
CREATE INDEX ix_leads_callbacks ON leads (owner_id, callback_at) WHERE callback_at IS NOT NULL;
CREATE INDEX ix_leads_stage ON leads (stage);
CREATE INDEX ix_leads_batch_id ON leads (batch_id);
CREATE INDEX ix_leads_due_callbacks ON leads (next_due_at) WHERE callback_at IS NOT NULL AND queue_bucket IS NULL AND next_due_at IS NOT NULL;
CREATE INDEX ix_leads_email ON leads (email);
CREATE INDEX ix_leads_claims ON leads (claim_expires_at) WHERE claimed_by IS NOT NULL;
CREATE INDEX ix_leads_ready ON leads (hours_class_id, queue_bucket, grade, queue_order, id, claimed_by) WHERE queue_bucket IS NOT NULL AND claimed_by IS NULL;
CREATE INDEX ix_leads_phone_e164 ON leads (phone_e164);
CREATE INDEX ix_touches_period ON touches (started_at, rep_id, lead_id, channel, disposition, ended_at);
CREATE INDEX ix_touches_phone ON touches (phone, started_at) WHERE phone IS NOT NULL;
CREATE INDEX ix_touches_lead_id ON touches (lead_id);
CREATE INDEX ix_touches_rep_id_started_at ON touches (rep_id, started_at);
CREATE INDEX ix_touches_started_at ON touches (started_at);
CREATE INDEX ix_checklist_answers_lead_id ON checklist_answers (lead_id);
CREATE INDEX ix_handoffs_batch_id ON handoffs (batch_id);
CREATE INDEX ix_handoffs_lead_id ON handoffs (lead_id);
CREATE INDEX ix_handoffs_handed_off_at ON handoffs (handed_off_at);
CREATE INDEX ix_lead_changes_lead_id ON lead_changes (lead_id);
CREATE INDEX ix_routing_decisions_lead_routes ON routing_decisions (lead_id, route, id);
CREATE INDEX ix_routing_decisions_rep_id_decided_at ON routing_decisions (rep_id, decided_at);
CREATE INDEX ix_routing_decisions_rep_routes ON routing_decisions (rep_id, route, decided_at);
CREATE INDEX ix_routing_decisions_lead_id ON routing_decisions (lead_id);
CREATE INDEX ix_routing_decisions_decided_at ON routing_decisions (decided_at);
CREATE INDEX ix_sales_verdicts_decided_at ON sales_verdicts (decided_at);
CREATE INDEX ix_sales_verdicts_lead_id ON sales_verdicts (lead_id);
CREATE INDEX ix_sales_outcomes_lead_id ON sales_outcomes (lead_id);
CREATE INDEX ix_sales_outcomes_received_at ON sales_outcomes (received_at);
CREATE INDEX ix_nurture_handoffs_batch_id ON nurture_handoffs (batch_id);
CREATE INDEX ix_nurture_handoffs_decision_id ON nurture_handoffs (decision_id);
CREATE INDEX ix_nurture_handoffs_lead_id ON nurture_handoffs (lead_id);
CREATE INDEX ix_reviews_lead_id ON reviews (lead_id);
CREATE INDEX ix_reviews_decided_at ON reviews (decided_at);
COMMIT;
