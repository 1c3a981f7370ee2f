"""One pass over the inbox and its steps (recovery, intake, checking, recheck, publication), the
outputs a pass writes, unit status, and the scheduled loop. Imports: every stage before it."""
