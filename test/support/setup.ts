// Tests must not depend on the machine's time zone: all times are UTC in Tidemark.
process.env.TZ = 'UTC';
