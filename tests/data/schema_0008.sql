BEGIN TRANSACTION;
CREATE TABLE alembic_version (
	version_num VARCHAR(32) NOT NULL, 
	CONSTRAINT alembic_version_pkc PRIMARY KEY (version_num)
);
INSERT INTO alembic_version VALUES('0008');
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
INSERT INTO checklist_answers VALUES(1,1,'vertical',1,'manufacturing',1,'2026-11-02 15:00:00.000000',1);
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
INSERT INTO do_not_call VALUES('+12025550143','2026-11-02 15:00:00.000000','ops','asked','qualdesk dnc add');
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
	content BLOB, destination VARCHAR(10) DEFAULT 'sales' NOT NULL, 
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
	rejects_file VARCHAR, pending INTEGER DEFAULT '0' NOT NULL, outcomes INTEGER DEFAULT '0' NOT NULL, 
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
INSERT INTO hours_classes VALUES(1,'Europe/London','GB');
INSERT INTO hours_classes VALUES(2,'America/New_York','US-FL');
INSERT INTO hours_classes VALUES(3,'America/Adak America/Anchorage America/Anguilla America/Antigua America/Barbados America/Boise America/Cayman America/Chicago America/Denver America/Dominica America/Edmonton America/Fort_Nelson America/Grand_Turk America/Grenada America/Halifax America/Jamaica America/Juneau America/Los_Angeles America/Lower_Princes America/Montserrat America/Nassau America/New_York America/North_Dakota/Center America/Phoenix America/Port_of_Spain America/Puerto_Rico America/Regina America/Santo_Domingo America/St_Johns America/St_Kitts America/St_Lucia America/St_Thomas America/St_Vincent America/Toronto America/Tortola America/Vancouver America/Winnipeg Atlantic/Bermuda Pacific/Guam Pacific/Honolulu Pacific/Pago_Pago Pacific/Saipan','US');
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
INSERT INTO import_batches VALUES(1,'expo.csv','/tmp/tmp26q0qwd1/expo.csv','4ed9a9f86d11d7b768584e18aeac7abb6cdb399f9fe92ac5ad2540fb8923f6fb','Trade show','','','utf-8',',','ops','2026-11-02 15:00:00.000000','2026-11-02 15:00:00.000000',5,4,0,1,0,0,2,0,'["Booth"]','/tmp/tmp26q0qwd1/expo.rejects.csv','done',NULL,0,0);
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
INSERT INTO import_issues VALUES(1,1,5,'rejected','phone ''4.15555E+09'' was turned into scientific notation by a spreadsheet','["Bad Row", "Acme", "", "", "4.15555E+09", "US", ""]',NULL);
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
INSERT INTO lead_changes VALUES(1,1,'title','Analyst','Head of Analytics',1,'ana','promoted','2026-11-20 10:00:00.000000');
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
	verdict_at DATETIME, alt_phone_e164 VARCHAR(20), alt_phone_ext VARCHAR(10), arrived_at DATETIME, touch_count INTEGER DEFAULT '0' NOT NULL, touch_channels VARCHAR DEFAULT '' NOT NULL, outcome VARCHAR(12), outcome_cents BIGINT, outcome_on DATE, 
	CONSTRAINT pk_leads PRIMARY KEY (id), 
	CONSTRAINT fk_leads_batch_id_import_batches FOREIGN KEY(batch_id) REFERENCES import_batches (id), 
	CONSTRAINT fk_leads_hours_class_id_hours_classes FOREIGN KEY(hours_class_id) REFERENCES hours_classes (id), 
	CONSTRAINT fk_leads_owner_id_reps FOREIGN KEY(owner_id) REFERENCES reps (id), 
	CONSTRAINT fk_leads_claimed_by_reps FOREIGN KEY(claimed_by) REFERENCES reps (id), 
	CONSTRAINT fk_leads_handoff_batch_id_export_batches FOREIGN KEY(handoff_batch_id) REFERENCES export_batches (id)
);
INSERT INTO leads VALUES(1,1,'2026-11-02 15:00:00.000000','2026-11-02 15:00:00.000000','Ada Lovelace','Ada','Lovelace','Analytical Ltd','CTO','ada@example.com','+44 20 7946 0958','+442079460958',NULL,'n:ada lovelace','GB','GB','Europe/London',1,'Trade show','','','','{"Booth": "7", "Country": "UK"}',0,'new','',NULL,NULL,0,NULL,NULL,NULL,'2026-11-02 15:00:00.000000',1,-1793631600,0,NULL,NULL,0,'D',NULL,NULL,NULL,'',NULL,NULL,NULL,NULL,1,'phone',NULL,NULL,NULL);
INSERT INTO leads VALUES(2,1,'2026-11-02 15:00:00.000000','2026-11-02 15:00:00.000000','','','','Switchboard Corp','',NULL,'+1 305 555 0123','+13055550123',NULL,'c:switchboard corp','US','US-FL','America/New_York',2,'Trade show','','','','{"Country": "US"}',1,'new','',NULL,NULL,0,NULL,NULL,NULL,'2026-11-02 15:00:00.000000',1,-1793631600,0,NULL,NULL,0,'D',NULL,NULL,NULL,'',NULL,NULL,NULL,NULL,0,'',NULL,NULL,NULL);
INSERT INTO leads VALUES(3,1,'2026-11-02 15:00:00.000000','2026-11-02 15:00:00.000000','Grace Hopper','Grace','Hopper','Navy','Admiral','grace@example.com','+1 305 555 0123','+13055550123',NULL,'n:grace hopper','US','US-FL','America/New_York',2,'Trade show','','','','{"Country": "US"}',1,'new','',NULL,NULL,0,NULL,NULL,NULL,'2026-11-02 15:00:00.000000',1,-1793631600,0,NULL,NULL,0,'D',NULL,NULL,NULL,'',NULL,NULL,NULL,'2026-11-01 22:15:00.000000',0,'',NULL,NULL,NULL);
INSERT INTO leads VALUES(4,1,'2026-11-02 15:00:00.000000','2026-11-02 15:00:00.000000','Tolly Free','Tolly','Free','Freephone Inc','',NULL,'+1 800 555 0199','+18005550199',NULL,'n:tolly free','US','US','America/Adak America/Anchorage America/Anguilla America/Antigua America/Barbados America/Boise America/Cayman America/Chicago America/Denver America/Dominica America/Edmonton America/Fort_Nelson America/Grand_Turk America/Grenada America/Halifax America/Jamaica America/Juneau America/Los_Angeles America/Lower_Princes America/Montserrat America/Nassau America/New_York America/North_Dakota/Center America/Phoenix America/Port_of_Spain America/Puerto_Rico America/Regina America/Santo_Domingo America/St_Johns America/St_Kitts America/St_Lucia America/St_Thomas America/St_Vincent America/Toronto America/Tortola America/Vancouver America/Winnipeg Atlantic/Bermuda Pacific/Guam Pacific/Honolulu Pacific/Pago_Pago Pacific/Saipan',3,'Trade show','','','','{"Country": "US"}',0,'new','',NULL,NULL,0,NULL,NULL,NULL,'2026-11-02 15:00:00.000000',1,-1793631600,0,NULL,NULL,0,'D',NULL,NULL,NULL,'',NULL,NULL,NULL,NULL,0,'',NULL,NULL,NULL);
CREATE TABLE note_drafts (
	lead_id INTEGER NOT NULL, 
	rep_id INTEGER NOT NULL, 
	text TEXT NOT NULL, 
	saved_at DATETIME NOT NULL, 
	CONSTRAINT pk_note_drafts PRIMARY KEY (lead_id, rep_id), 
	CONSTRAINT fk_note_drafts_lead_id_leads FOREIGN KEY(lead_id) REFERENCES leads (id), 
	CONSTRAINT fk_note_drafts_rep_id_reps FOREIGN KEY(rep_id) REFERENCES reps (id)
);
INSERT INTO note_drafts VALUES(3,1,'asked for the CFO','2026-11-02 15:00:00.000000');
CREATE TABLE rep_lead_totals (
	rep_id INTEGER NOT NULL, 
	channel VARCHAR(16) NOT NULL, 
	leads INTEGER NOT NULL, 
	CONSTRAINT pk_rep_lead_totals PRIMARY KEY (rep_id, channel), 
	CONSTRAINT fk_rep_lead_totals_rep_id_reps FOREIGN KEY(rep_id) REFERENCES reps (id)
);
INSERT INTO rep_lead_totals VALUES(1,'phone',1);
INSERT INTO rep_lead_totals VALUES(1,'*',1);
CREATE TABLE rep_touch_totals (
	rep_id INTEGER NOT NULL, 
	channel VARCHAR(16) NOT NULL, 
	disposition VARCHAR(32) NOT NULL, 
	touches INTEGER NOT NULL, 
	seconds INTEGER NOT NULL, 
	CONSTRAINT pk_rep_touch_totals PRIMARY KEY (rep_id, channel, disposition), 
	CONSTRAINT fk_rep_touch_totals_rep_id_reps FOREIGN KEY(rep_id) REFERENCES reps (id)
);
INSERT INTO rep_touch_totals VALUES(1,'phone','no_answer',1,30);
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
INSERT INTO reps VALUES(1,'ana','Ana Reyes','rep',1,'America/New_York','2026-11-02 15:00:00.000000');
INSERT INTO reps VALUES(2,'lee','Lee Morgan','lead',1,'Europe/London','2026-11-02 15:00:00.000000');
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
INSERT INTO routing_decisions VALUES(1,1,1,1,'working','working','retry per cadence',0,1,'2026-11-02 15:00:00.000000');
CREATE TABLE rules_versions (
	id INTEGER NOT NULL, 
	loaded_at DATETIME NOT NULL, 
	loaded_by VARCHAR NOT NULL, 
	source VARCHAR NOT NULL, 
	sha256 VARCHAR(64) NOT NULL, 
	text TEXT NOT NULL, 
	CONSTRAINT pk_rules_versions PRIMARY KEY (id)
);
INSERT INTO rules_versions VALUES(1,'2026-11-02 15:00:00.000000','qualdesk','built-in default (data/desk.toml)','7da7f9a7e76ef3d9048eb0555c3bed47d549edc48679b238d5165c7e2290207d',replace('# qualdesk desk rules: the universal lead definition and the desk''s policy.\n#\n# Load a changed copy with `qualdesk rules load FILE`; every rep''s desk then\n# uses the new version, and every routing decision records which version it\n# used. `qualdesk rules show` prints the version in force.\n\n[desk]\nname = "Qualification desk"\n# Region used to read phone numbers written without a +country code,\n# when the row has no country column and the import gives no --region.\ndefault_region = "US"\n# Speed to lead: every new lead gets its first touch within this many hours.\nspeed_to_lead_hours = 4\n# Channels a rep can log a touch on (the phone is always available).\nchannels = ["phone", "email", "linkedin", "sms"]\n\n# The universal lead definition: what a rep establishes on the call.\n# Keys 1-9 and 0 on the call card toggle criteria 1-10, in this order.\n[[criteria]]\nkey = "vertical"\nlabel = "Vertical"\nprompt = "Which industry are they in (SIC/NAICS code if known)?"\npoints = 10\n\n[[criteria]]\nkey = "firmographics"\nlabel = "Firmographics"\nprompt = "Revenue, number of employees, number of locations?"\npoints = 10\n\n[[criteria]]\nkey = "decision_makers"\nlabel = "Decision makers"\nprompt = "Who decides and who influences, and in which roles?"\npoints = 15\n\n[[criteria]]\nkey = "environment"\nlabel = "Environment"\nprompt = "What must the solution fit into (systems, vendors, constraints)?"\npoints = 5\n\n[[criteria]]\nkey = "engagement"\nlabel = "DM engagement"\nprompt = "How engaged is the decision maker (aware, interested, driving)?"\npoints = 10\n\n[[criteria]]\nkey = "pains"\nlabel = "Business pains"\nprompt = "Which pains did they name, and did they confirm them?"\npoints = 15\nrequired = true\n\n[[criteria]]\nkey = "process"\nlabel = "Decision process"\nprompt = "How will they decide: steps, people, dates?"\npoints = 10\n\n[[criteria]]\nkey = "budget"\nlabel = "Budget"\nprompt = "Is budget allocated, or is the way to get one known?"\npoints = 10\n\n[[criteria]]\nkey = "competition"\nlabel = "Competition"\nprompt = "Who else are they looking at, or using today?"\npoints = 5\n\n[[criteria]]\nkey = "urgency"\nlabel = "Urgency"\nprompt = "Why now: a deadline, an event, a cost of waiting?"\npoints = 10\n\n# Points for facts marketing already delivered, matched case-insensitively.\n[[firmographic_points]]\nfield = "title"\ncontains = ["chief", "vp", "vice president", "head of", "director", "owner", "founder"]\npoints = 10\n\n[[firmographic_points]]\nfield = "company_size"\nat_least = 200\npoints = 5\n\n[qualification]\n# A lead is qualified (goes to sales) when at least this many criteria are\n# established, every required criterion is among them, and ...\nmin_established = 4\n# ... its score is at least this (0: no minimum). With combine = "or", either\n# the count (with the required ones) or the score is enough.\nmin_score = 0\ncombine = "and"\n\n# Minimum score for each grade.\n[grades]\nA = 60\nB = 40\nC = 20\nD = 0\n\n# One key per outcome of a call attempt. implies is one of:\n#   retry      try again later, per the cadence\n#   route      the lead was reached: route by the checklist (sales or nurture)\n#   callback   the lead asked to be called at a set time\n#   nurture    out of the queue into nurture\n#   disqualify out for good (bad data, no fit)\n#   dnc        the number goes on the do-not-call list\n[[dispositions]]\nkey = "no_answer"\nlabel = "No answer"\nhotkey = "a"\nimplies = "retry"\n\n[[dispositions]]\nkey = "busy"\nlabel = "Busy"\nhotkey = "b"\nimplies = "retry"\n\n[[dispositions]]\nkey = "voicemail"\nlabel = "Voicemail left"\nhotkey = "v"\nimplies = "retry"\n\n[[dispositions]]\nkey = "wrong_number"\nlabel = "Wrong number"\nhotkey = "w"\nimplies = "disqualify"\nreason = "bad data: wrong number"\n\n[[dispositions]]\nkey = "gatekeeper"\nlabel = "Gatekeeper"\nhotkey = "g"\nimplies = "retry"\n\n[[dispositions]]\nkey = "connected"\nlabel = "Connected"\nhotkey = "c"\nconnect = true\nimplies = "route"\n\n[[dispositions]]\nkey = "callback"\nlabel = "Callback requested"\nhotkey = "k"\nconnect = true\nimplies = "callback"\n\n[[dispositions]]\nkey = "not_interested"\nlabel = "Not interested"\nhotkey = "x"\nconnect = true\nimplies = "nurture"\nreason = "not interested now"\n\n[[dispositions]]\nkey = "do_not_call"\nlabel = "Do not call"\nhotkey = "d"\nconnect = true\nimplies = "dnc"\nreason = "asked not to be called"\n\n[cadence]\n# Wait after each unanswered attempt: after the 1st, the 2nd, ...; the last\n# spacing repeats if max_attempts is larger.\nretry_after = ["2h", "1d", "2d", "3d", "5d"]\n# After this many call attempts without reaching anyone: nurture ("unreachable").\nmax_attempts = 6\n# Never two calls to one lead closer than this.\nmin_gap = "1h"\n# A callback only its owner may take goes to any rep once overdue by this much.\ncallback_grace = "30m"\n\n[nurture]\n# Days before a nurtured lead comes back to the desk, by grade.\nrecycle_days = { A = 14, B = 30, C = 60, D = 90 }\n\n# Calls only inside these hours, in the called person''s local time.\n[calling_hours]\nstart = "08:00"\nend = "21:00"\n# A number whose time zone cannot be told is offered only after the rep\n# confirms it is a sensible time to call.\nunknown_zone = "confirm"\n\n# Overrides by jurisdiction: a country (CA) or a state or province (US-FL).\n# days is a list such as "mon-fri" or "sat,sun" (every day if left out).\n# The most specific rule that matches the day wins, so a state rule that\n# opens a day beats a country rule that closes it.\n[[calling_hours.rules]]\nwhere = "US-FL"\n# Monday to Saturday only: a Florida rule that named Sundays would beat\n# the US Sunday closure below, and open them.\ndays = "mon-sat"\nstart = "08:00"\nend = "20:00"\n\n[[calling_hours.rules]]\nwhere = "CA"\ndays = "mon-fri"\nstart = "09:00"\nend = "21:30"\n\n[[calling_hours.rules]]\nwhere = "CA"\ndays = "sat-sun"\nstart = "10:00"\nend = "18:00"\n\n# closed = true: no calls at all on these days (give no start or end then).\n# This desk does not call the US on Sundays; delete the rule to call them.\n[[calling_hours.rules]]\nwhere = "US"\ndays = "sun"\nclosed = true\n\n# Public holidays: no calls on these dates, in the called person''s local\n# time, whatever the rules above say. One list per jurisdiction, each entry\n# "YYYY-MM-DD Name" (the name is what a rep sees). A date listed for a\n# country (US) closes all its states; one listed for a state (US-FL) closes\n# only that state. Add next year''s dates, and your own closures, here.\n[calling_hours.closed_dates]\n# US federal holidays; one that falls on a weekend is observed on the\n# Friday before or the Monday after, and that is the date listed.\nUS = [\n    "2026-01-01 New Year''s Day",\n    "2026-01-19 Martin Luther King Jr. Day",\n    "2026-02-16 Presidents'' Day",\n    "2026-05-25 Memorial Day",\n    "2026-06-19 Juneteenth",\n    "2026-07-03 Independence Day (observed)",\n    "2026-09-07 Labor Day",\n    "2026-10-12 Columbus Day",\n    "2026-11-11 Veterans Day",\n    "2026-11-26 Thanksgiving Day",\n    "2026-12-25 Christmas Day",\n    "2027-01-01 New Year''s Day",\n    "2027-01-18 Martin Luther King Jr. Day",\n    "2027-02-15 Presidents'' Day",\n    "2027-05-31 Memorial Day",\n    "2027-06-18 Juneteenth (observed)",\n    "2027-07-05 Independence Day (observed)",\n    "2027-09-06 Labor Day",\n    "2027-10-11 Columbus Day",\n    "2027-11-11 Veterans Day",\n    "2027-11-25 Thanksgiving Day",\n    "2027-12-24 Christmas Day (observed)",\n    # New Year''s Day 2028 is a Saturday, observed on the Friday before.\n    "2027-12-31 New Year''s Day (observed)",\n]\n\n# Caps on calls to one number: at most `calls` calls within any `within`\n# (a duration such as "24h" or "7d"), counted per number. The most specific\n# cap for the lead''s jurisdiction applies. Florida''s telemarketing law\n# limits calls to one number to three within 24 hours.\n[[calling_hours.caps]]\nwhere = "US-FL"\ncalls = 3\nwithin = "24h"\n','\n',char(10)));
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
INSERT INTO touch_pairs VALUES(1,1,'phone');
CREATE TABLE IF NOT EXISTS "touches" (
	id INTEGER NOT NULL, 
	lead_id INTEGER NOT NULL, 
	rep_id INTEGER NOT NULL, 
	channel VARCHAR(16) NOT NULL, 
	disposition VARCHAR(32), 
	notes TEXT NOT NULL, 
	started_at DATETIME NOT NULL, 
	ended_at DATETIME, 
	phone VARCHAR(20), 
	inbound BOOLEAN DEFAULT 0 NOT NULL, 
	CONSTRAINT pk_touches PRIMARY KEY (id), 
	CONSTRAINT fk_touches_lead_id_leads FOREIGN KEY(lead_id) REFERENCES leads (id), 
	CONSTRAINT fk_touches_rep_id_reps FOREIGN KEY(rep_id) REFERENCES reps (id)
);
INSERT INTO touches VALUES(1,1,1,'phone','no_answer','rang out','2026-11-02 15:00:00.000000','2026-11-02 15:00:30.000000','+442079460958',0);
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
	CONSTRAINT fk_sales_outcomes_feedback_batch_id_feedback_batches FOREIGN KEY(feedback_batch_id) REFERENCES feedback_batches (id), 
	CONSTRAINT fk_sales_outcomes_handoff_id_handoffs FOREIGN KEY(handoff_id) REFERENCES handoffs (id), 
	CONSTRAINT fk_sales_outcomes_lead_id_leads FOREIGN KEY(lead_id) REFERENCES leads (id)
);
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
	CONSTRAINT fk_nurture_handoffs_decision_id_routing_decisions FOREIGN KEY(decision_id) REFERENCES routing_decisions (id), 
	CONSTRAINT fk_nurture_handoffs_lead_id_leads FOREIGN KEY(lead_id) REFERENCES leads (id)
);
CREATE INDEX ix_import_batches_sha256 ON import_batches (sha256);
CREATE INDEX ix_feedback_batches_sha256 ON feedback_batches (sha256);
CREATE INDEX ix_import_issues_batch_id ON import_issues (batch_id);
CREATE INDEX ix_leads_ready ON leads (hours_class_id, queue_bucket, grade, queue_order, claimed_by) WHERE queue_bucket IS NOT NULL AND claimed_by IS NULL;
CREATE INDEX ix_leads_intake ON leads (created_at, source, campaign, stage, first_touch_at, qualified_at);
CREATE INDEX ix_leads_phone_e164 ON leads (phone_e164);
CREATE INDEX ix_leads_due_callbacks ON leads (next_due_at) WHERE callback_at IS NOT NULL AND queue_bucket IS NULL AND next_due_at IS NOT NULL;
CREATE INDEX ix_leads_callbacks ON leads (owner_id, callback_at) WHERE callback_at IS NOT NULL;
CREATE INDEX ix_leads_waiting ON leads (next_due_at, hours_class_id, queue_bucket) WHERE queue_bucket IS NULL AND next_due_at IS NOT NULL;
CREATE INDEX ix_leads_batch_id ON leads (batch_id);
CREATE INDEX ix_leads_email ON leads (email);
CREATE INDEX ix_leads_claims ON leads (claim_expires_at) WHERE claimed_by IS NOT NULL;
CREATE INDEX ix_leads_stage ON leads (stage);
CREATE INDEX ix_checklist_answers_lead_id ON checklist_answers (lead_id);
CREATE INDEX ix_handoffs_batch_id ON handoffs (batch_id);
CREATE INDEX ix_handoffs_lead_id ON handoffs (lead_id);
CREATE INDEX ix_handoffs_handed_off_at ON handoffs (handed_off_at);
CREATE INDEX ix_routing_decisions_rep_routes ON routing_decisions (rep_id, route, decided_at);
CREATE INDEX ix_routing_decisions_lead_id ON routing_decisions (lead_id);
CREATE INDEX ix_routing_decisions_rep_id_decided_at ON routing_decisions (rep_id, decided_at);
CREATE INDEX ix_routing_decisions_decided_at ON routing_decisions (decided_at);
CREATE INDEX ix_sales_verdicts_lead_id ON sales_verdicts (lead_id);
CREATE INDEX ix_sales_verdicts_decided_at ON sales_verdicts (decided_at);
CREATE INDEX ix_reviews_decided_at ON reviews (decided_at);
CREATE INDEX ix_reviews_lead_id ON reviews (lead_id);
CREATE INDEX ix_leads_alt_phone_e164 ON leads (alt_phone_e164);
CREATE INDEX ix_touches_started_at ON touches (started_at);
CREATE INDEX ix_touches_lead_id ON touches (lead_id);
CREATE INDEX ix_touches_rep_id_started_at ON touches (rep_id, started_at);
CREATE INDEX ix_touches_period ON touches (started_at, rep_id, lead_id, channel, disposition, ended_at);
CREATE INDEX ix_touches_phone ON touches (phone, started_at) WHERE phone IS NOT NULL;
CREATE INDEX ix_lead_changes_lead_id ON lead_changes (lead_id);
CREATE INDEX ix_sales_outcomes_lead_id ON sales_outcomes (lead_id);
CREATE INDEX ix_sales_outcomes_received_at ON sales_outcomes (received_at);
CREATE INDEX ix_nurture_handoffs_batch_id ON nurture_handoffs (batch_id);
CREATE INDEX ix_nurture_handoffs_lead_id ON nurture_handoffs (lead_id);
CREATE INDEX ix_nurture_handoffs_decision_id ON nurture_handoffs (decision_id);
COMMIT;
