PRAGMA foreign_keys=OFF;
BEGIN TRANSACTION;
CREATE TABLE alembic_version (
	version_num VARCHAR(32) NOT NULL, 
	CONSTRAINT alembic_version_pkc PRIMARY KEY (version_num)
);
INSERT INTO alembic_version VALUES('0001');
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
INSERT INTO do_not_call VALUES('+12025550143','2026-11-01 12:00:00.000000','ops','asked','manual');
CREATE TABLE export_batches (
	id INTEGER NOT NULL, 
	created_at DATETIME NOT NULL, 
	created_by VARCHAR NOT NULL, 
	file_path VARCHAR NOT NULL, 
	format VARCHAR(10) NOT NULL, 
	profile VARCHAR(20) NOT NULL, 
	lead_count INTEGER NOT NULL, 
	sha256 VARCHAR(64) NOT NULL, 
	CONSTRAINT pk_export_batches PRIMARY KEY (id)
);
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
INSERT INTO import_batches VALUES(1,'expo.csv','/data/expo.csv','abc','Trade show','Expo','','utf-8',',','ops','2026-11-02 10:00:00.000000','2026-11-02 10:00:05.000000',3,2,0,1,0,0,0,0,'["Booth"]',NULL,'done',NULL,0,0);
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
INSERT INTO reps VALUES(1,'ana','Ana Reyes','rep',1,'America/New_York','2026-11-01 09:00:00.000000');
INSERT INTO reps VALUES(2,'lee','Lee Morgan','lead',1,'Europe/London','2026-11-01 09:00:00.000000');
CREATE TABLE rules_versions (
	id INTEGER NOT NULL, 
	loaded_at DATETIME NOT NULL, 
	loaded_by VARCHAR NOT NULL, 
	source VARCHAR NOT NULL, 
	sha256 VARCHAR(64) NOT NULL, 
	text TEXT NOT NULL, 
	CONSTRAINT pk_rules_versions PRIMARY KEY (id)
);
INSERT INTO rules_versions VALUES(1,'2026-11-01 09:00:00.000000','qualdesk','built-in default','x',replace('# qualdesk desk rules: the universal lead definition and the desk''s policy.\n#\n# Load a changed copy with `qualdesk rules load FILE`; every rep''s desk then\n# uses the new version, and every routing decision records which version it\n# used. `qualdesk rules show` prints the version in force.\n\n[desk]\nname = "Qualification desk"\n# Region used to read phone numbers written without a +country code,\n# when the row has no country column and the import gives no --region.\ndefault_region = "US"\n# Speed to lead: every new lead gets its first touch within this many hours.\nspeed_to_lead_hours = 4\n# Channels a rep can log a touch on (the phone is always available).\nchannels = ["phone", "email", "linkedin", "sms"]\n\n# The universal lead definition: what a rep establishes on the call.\n# Keys 1-9 and 0 on the call card toggle criteria 1-10, in this order.\n[[criteria]]\nkey = "vertical"\nlabel = "Vertical"\nprompt = "Which industry are they in (SIC/NAICS code if known)?"\npoints = 10\n\n[[criteria]]\nkey = "firmographics"\nlabel = "Firmographics"\nprompt = "Revenue, number of employees, number of locations?"\npoints = 10\n\n[[criteria]]\nkey = "decision_makers"\nlabel = "Decision makers"\nprompt = "Who decides and who influences, and in which roles?"\npoints = 15\n\n[[criteria]]\nkey = "environment"\nlabel = "Environment"\nprompt = "What must the solution fit into (systems, vendors, constraints)?"\npoints = 5\n\n[[criteria]]\nkey = "engagement"\nlabel = "DM engagement"\nprompt = "How engaged is the decision maker (aware, interested, driving)?"\npoints = 10\n\n[[criteria]]\nkey = "pains"\nlabel = "Business pains"\nprompt = "Which pains did they name, and did they confirm them?"\npoints = 15\nrequired = true\n\n[[criteria]]\nkey = "process"\nlabel = "Decision process"\nprompt = "How will they decide: steps, people, dates?"\npoints = 10\n\n[[criteria]]\nkey = "budget"\nlabel = "Budget"\nprompt = "Is budget allocated, or is the way to get one known?"\npoints = 10\n\n[[criteria]]\nkey = "competition"\nlabel = "Competition"\nprompt = "Who else are they looking at, or using today?"\npoints = 5\n\n[[criteria]]\nkey = "urgency"\nlabel = "Urgency"\nprompt = "Why now: a deadline, an event, a cost of waiting?"\npoints = 10\n\n# Points for facts marketing already delivered, matched case-insensitively.\n[[firmographic_points]]\nfield = "title"\ncontains = ["chief", "vp", "vice president", "head of", "director", "owner", "founder"]\npoints = 10\n\n[[firmographic_points]]\nfield = "company_size"\nat_least = 200\npoints = 5\n\n[qualification]\n# A lead is qualified (goes to sales) when at least this many criteria are\n# established, every required criterion is among them, and ...\nmin_established = 4\n# ... its score is at least this (0: no minimum). With combine = "or", either\n# the count (with the required ones) or the score is enough.\nmin_score = 0\ncombine = "and"\n\n# Minimum score for each grade.\n[grades]\nA = 60\nB = 40\nC = 20\nD = 0\n\n# One key per outcome of a call attempt. implies is one of:\n#   retry      try again later, per the cadence\n#   route      the lead was reached: route by the checklist (sales or nurture)\n#   callback   the lead asked to be called at a set time\n#   nurture    out of the queue into nurture\n#   disqualify out for good (bad data, no fit)\n#   dnc        the number goes on the do-not-call list\n[[dispositions]]\nkey = "no_answer"\nlabel = "No answer"\nhotkey = "a"\nimplies = "retry"\n\n[[dispositions]]\nkey = "busy"\nlabel = "Busy"\nhotkey = "b"\nimplies = "retry"\n\n[[dispositions]]\nkey = "voicemail"\nlabel = "Voicemail left"\nhotkey = "v"\nimplies = "retry"\n\n[[dispositions]]\nkey = "wrong_number"\nlabel = "Wrong number"\nhotkey = "w"\nimplies = "disqualify"\nreason = "bad data: wrong number"\n\n[[dispositions]]\nkey = "gatekeeper"\nlabel = "Gatekeeper"\nhotkey = "g"\nimplies = "retry"\n\n[[dispositions]]\nkey = "connected"\nlabel = "Connected"\nhotkey = "c"\nconnect = true\nimplies = "route"\n\n[[dispositions]]\nkey = "callback"\nlabel = "Callback requested"\nhotkey = "k"\nconnect = true\nimplies = "callback"\n\n[[dispositions]]\nkey = "not_interested"\nlabel = "Not interested"\nhotkey = "x"\nconnect = true\nimplies = "nurture"\nreason = "not interested now"\n\n[[dispositions]]\nkey = "do_not_call"\nlabel = "Do not call"\nhotkey = "d"\nconnect = true\nimplies = "dnc"\nreason = "asked not to be called"\n\n[cadence]\n# Wait after each unanswered attempt: after the 1st, the 2nd, ...; the last\n# spacing repeats if max_attempts is larger.\nretry_after = ["2h", "1d", "2d", "3d", "5d"]\n# After this many call attempts without reaching anyone: nurture ("unreachable").\nmax_attempts = 6\n# Never two calls to one lead closer than this.\nmin_gap = "1h"\n# A callback only its owner may take goes to any rep once overdue by this much.\ncallback_grace = "30m"\n\n[nurture]\n# Days before a nurtured lead comes back to the desk, by grade.\nrecycle_days = { A = 14, B = 30, C = 60, D = 90 }\n\n# Calls only inside these hours, in the called person''s local time.\n[calling_hours]\nstart = "08:00"\nend = "21:00"\n# A number whose time zone cannot be told is offered only after the rep\n# confirms it is a sensible time to call.\nunknown_zone = "confirm"\n\n# Overrides by jurisdiction: a country (CA) or a state or province (US-FL).\n# The most specific rule that matches the day wins.\n[[calling_hours.rules]]\nwhere = "US-FL"\nstart = "08:00"\nend = "20:00"\n\n[[calling_hours.rules]]\nwhere = "CA"\ndays = "mon-fri"\nstart = "09:00"\nend = "21:30"\n\n[[calling_hours.rules]]\nwhere = "CA"\ndays = "sat-sun"\nstart = "10:00"\nend = "18:00"\n','\n',char(10)));
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
INSERT INTO import_issues VALUES(1,1,4,'rejected','no phone number','["Zed","Acme","","","",""]',NULL);
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
	region VARCHAR(2) NOT NULL, 
	jurisdiction VARCHAR(6) NOT NULL, 
	time_zones VARCHAR NOT NULL, 
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
	attempts INTEGER NOT NULL, 
	last_attempt_at DATETIME, 
	first_touch_at DATETIME, 
	score INTEGER NOT NULL, 
	grade VARCHAR(1) NOT NULL, 
	handoff_batch_id INTEGER, 
	sales_verdict VARCHAR(10), 
	sales_reason VARCHAR NOT NULL, 
	verdict_at DATETIME, 
	CONSTRAINT pk_leads PRIMARY KEY (id), 
	CONSTRAINT fk_leads_batch_id_import_batches FOREIGN KEY(batch_id) REFERENCES import_batches (id), 
	CONSTRAINT fk_leads_claimed_by_reps FOREIGN KEY(claimed_by) REFERENCES reps (id), 
	CONSTRAINT fk_leads_handoff_batch_id_export_batches FOREIGN KEY(handoff_batch_id) REFERENCES export_batches (id), 
	CONSTRAINT fk_leads_owner_id_reps FOREIGN KEY(owner_id) REFERENCES reps (id)
);
INSERT INTO leads VALUES(1,1,'2026-11-02 10:00:05.000000','2026-11-03 15:00:00.000000','Ada Lovelace','','','Analytical Ltd','CTO','ada@example.com','+442079460958','+442079460958',NULL,'GB','GB','Europe/London','Trade show','Expo','','','{"Booth": "7"}',0,'working','',NULL,NULL,0,NULL,NULL,NULL,'2026-11-04 15:00:00.000000',1,'2026-11-03 15:00:00.000000','2026-11-03 15:00:00.000000',10,'D',NULL,NULL,'',NULL);
INSERT INTO leads VALUES(2,1,'2026-11-02 10:00:05.000000','2026-11-03 15:00:00.000000','','','','Switchboard Corp','CTO',NULL,'+13055550123','+13055550123',NULL,'GB','GB','Europe/London','Trade show','Expo','','','{"Booth": "7"}',0,'new','',NULL,NULL,0,NULL,NULL,NULL,'2026-11-04 15:00:00.000000',1,'2026-11-03 15:00:00.000000','2026-11-03 15:00:00.000000',10,'D',NULL,NULL,'',NULL);
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
INSERT INTO checklist_answers VALUES(1,1,'vertical',1,'manufacturing',1,'2026-11-03 15:00:10.000000',1);
CREATE TABLE touches (
	id INTEGER NOT NULL, 
	lead_id INTEGER NOT NULL, 
	rep_id INTEGER NOT NULL, 
	channel VARCHAR(16) NOT NULL, 
	disposition VARCHAR(32), 
	notes TEXT NOT NULL, 
	started_at DATETIME NOT NULL, 
	ended_at DATETIME, 
	CONSTRAINT pk_touches PRIMARY KEY (id), 
	CONSTRAINT fk_touches_lead_id_leads FOREIGN KEY(lead_id) REFERENCES leads (id), 
	CONSTRAINT fk_touches_rep_id_reps FOREIGN KEY(rep_id) REFERENCES reps (id)
);
INSERT INTO touches VALUES(1,1,1,'phone','no_answer','rang out','2026-11-03 15:00:00.000000','2026-11-03 15:00:30.000000');
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
	CONSTRAINT fk_routing_decisions_rep_id_reps FOREIGN KEY(rep_id) REFERENCES reps (id), 
	CONSTRAINT fk_routing_decisions_rules_version_id_rules_versions FOREIGN KEY(rules_version_id) REFERENCES rules_versions (id), 
	CONSTRAINT fk_routing_decisions_touch_id_touches FOREIGN KEY(touch_id) REFERENCES touches (id)
);
INSERT INTO routing_decisions VALUES(1,1,1,1,'working','working','retry per cadence',0,1,'2026-11-03 15:00:30.000000');
CREATE INDEX ix_import_batches_sha256 ON import_batches (sha256);
CREATE INDEX ix_import_issues_batch_id ON import_issues (batch_id);
CREATE INDEX ix_leads_batch_id ON leads (batch_id);
CREATE INDEX ix_leads_email ON leads (email);
CREATE INDEX ix_leads_phone_e164 ON leads (phone_e164);
CREATE INDEX ix_leads_stage ON leads (stage);
CREATE INDEX ix_checklist_answers_lead_id ON checklist_answers (lead_id);
CREATE INDEX ix_touches_lead_id ON touches (lead_id);
CREATE INDEX ix_touches_rep_id_started_at ON touches (rep_id, started_at);
CREATE INDEX ix_touches_started_at ON touches (started_at);
CREATE INDEX ix_routing_decisions_decided_at ON routing_decisions (decided_at);
CREATE INDEX ix_routing_decisions_lead_id ON routing_decisions (lead_id);
COMMIT;
