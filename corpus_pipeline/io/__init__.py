"""Reading and writing through Spark and Hadoop file systems (``file://``, ``hdfs://``, ``s3a://``)."""
