"""The offline side's modelling: training set, hyper-parameter search, fit, evaluation, export, cards, publishing."""
