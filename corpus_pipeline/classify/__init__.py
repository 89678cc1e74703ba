"""fastText document classifiers: the spam classifier of the filter stage and the GPT-3-style quality classifier.

Modules: :mod:`.features` (the token line fastText sees, shared by training and scoring), :mod:`.scoring`
(batched scores), :mod:`.training_texts` (reading training files, dedup, split), :mod:`.metrics` (precision, recall,
ROC-AUC, thresholds), :mod:`.train` (``train-classifier``, the model card) and :mod:`.model` (loading a model
with its card in a Spark job). The default models' derived training files are built by
``corpus_eval.training_data.classifiers``.
"""
