-- payment-app: invoices and their settlement jobs. Webhook events are rows of
-- the common outbox table (migrations/common/001_outbox.sql), written in the
-- same transaction as the invoice change they report.
CREATE TABLE invoices (
    invoice_number text PRIMARY KEY CHECK (invoice_number ~ '^INV-[A-Z0-9]{12}$'),
    booking_id     uuid NOT NULL UNIQUE,          -- idempotency key of creation
    amount         bigint NOT NULL CHECK (amount > 0),
    currency       text NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
    description    text NOT NULL DEFAULT '' CHECK (char_length(description) <= 500),
    status         text NOT NULL DEFAULT 'PENDING'
                   CHECK (status IN ('PENDING', 'PROCESSING', 'PAID', 'FAILED', 'EXPIRED',
                                     'VOID', 'REFUNDED')),
    method         text CHECK (method IN ('card', 'bank_transfer', 'ewallet')),
    failure_reason text,
    created_at     timestamptz NOT NULL DEFAULT now(),
    updated_at     timestamptz NOT NULL DEFAULT now(),
    expires_at     timestamptz NOT NULL,
    paid_at        timestamptz,                   -- set when PAID
    settled_at     timestamptz,                   -- set when PAID or FAILED
    refunded_at    timestamptz,
    voided_at      timestamptz,
    -- a paying or settled invoice has a method; a failed one has a reason
    CHECK (status IN ('PENDING', 'EXPIRED', 'VOID') OR method IS NOT NULL),
    CHECK ((status = 'FAILED') = (failure_reason IS NOT NULL)),
    CHECK (status NOT IN ('PAID', 'REFUNDED') OR paid_at IS NOT NULL)
);
-- The expiry sweeper scans only pending invoices by deadline.
CREATE INDEX invoices_pending_expiry ON invoices (expires_at) WHERE status = 'PENDING';

-- One settlement job per paid-for invoice (an invoice leaves PENDING once).
-- due_at is when the simulated gateway answers (pay time + PAYMENT_DELAY_MS);
-- a worker settles it in one transaction that locks the job row with
-- FOR UPDATE SKIP LOCKED, so a crash rolls back and another worker retakes it.
CREATE TABLE payment_jobs (
    invoice_number text PRIMARY KEY REFERENCES invoices (invoice_number),
    method         text NOT NULL,
    created_at     timestamptz NOT NULL DEFAULT now(),
    due_at         timestamptz NOT NULL,
    done_at        timestamptz,
    outcome        text                           -- PAID, FAILED, or SKIPPED
);
CREATE INDEX payment_jobs_due ON payment_jobs (due_at) WHERE done_at IS NULL;
