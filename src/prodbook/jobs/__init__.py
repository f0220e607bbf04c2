"""The jobs an APM runs: each reads tables from a Tracker, computes, stages writes."""
