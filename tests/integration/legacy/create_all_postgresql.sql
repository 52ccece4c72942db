-- The schema `create_all` made before migrations (loopbot at df11f46), on postgresql;
-- apscheduler_jobs is not here: APScheduler's job store made it when `loopbot run` started.

CREATE TABLE audit (
	id SERIAL NOT NULL,
	at TIMESTAMP WITH TIME ZONE NOT NULL,
	actor VARCHAR NOT NULL,
	roles VARCHAR NOT NULL,
	action VARCHAR NOT NULL,
	service VARCHAR NOT NULL,
	version VARCHAR,
	from_state VARCHAR,
	to_state VARCHAR,
	detail TEXT NOT NULL,
	request_id VARCHAR,
	override_reason TEXT,
	CONSTRAINT pk_audit PRIMARY KEY (id)
);

CREATE INDEX ix_audit_service ON audit (service);

CREATE TABLE claims (
	id SERIAL NOT NULL,
	key VARCHAR NOT NULL,
	claimed_at TIMESTAMP WITH TIME ZONE NOT NULL,
	owner VARCHAR NOT NULL,
	CONSTRAINT pk_claims PRIMARY KEY (id),
	CONSTRAINT uq_claims_key UNIQUE (key)
);

CREATE TABLE releases (
	id SERIAL NOT NULL,
	service VARCHAR NOT NULL,
	version VARCHAR NOT NULL,
	state VARCHAR NOT NULL,
	kind VARCHAR NOT NULL,
	tag VARCHAR,
	commit_sha VARCHAR,
	previous_version VARCHAR,
	branch VARCHAR,
	fixed_bugs JSON NOT NULL,
	flagged_bugs JSON NOT NULL,
	blockers JSON NOT NULL,
	rejected_for INTEGER,
	superseded_by VARCHAR,
	summary TEXT NOT NULL,
	notes TEXT NOT NULL,
	created_at TIMESTAMP WITH TIME ZONE NOT NULL,
	updated_at TIMESTAMP WITH TIME ZONE NOT NULL,
	CONSTRAINT pk_releases PRIMARY KEY (id),
	CONSTRAINT uq_releases_service_version UNIQUE (service, version)
);

CREATE TABLE steps (
	id SERIAL NOT NULL,
	key VARCHAR NOT NULL,
	status VARCHAR NOT NULL,
	result JSON,
	started_at TIMESTAMP WITH TIME ZONE NOT NULL,
	finished_at TIMESTAMP WITH TIME ZONE,
	CONSTRAINT pk_steps PRIMARY KEY (id),
	CONSTRAINT uq_steps_key UNIQUE (key)
);

CREATE TABLE tickets (
	id SERIAL NOT NULL,
	release_id INTEGER NOT NULL,
	env VARCHAR NOT NULL,
	bug_id INTEGER NOT NULL,
	attempt INTEGER NOT NULL,
	CONSTRAINT pk_tickets PRIMARY KEY (id),
	CONSTRAINT uq_tickets_release_id_env_attempt UNIQUE (release_id, env, attempt),
	CONSTRAINT fk_tickets_release_id_releases FOREIGN KEY(release_id) REFERENCES releases (id)
);

CREATE INDEX ix_tickets_release_id ON tickets (release_id);
