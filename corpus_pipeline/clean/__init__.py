"""The clean stage (PanGu-alpha 3.1.1): per-document rules, their Arrow-batched driver and the Spark job."""
