from lightning.pytorch.loggers import MLFlowLogger

logger = MLFlowLogger(experiment_name="fraud/lightning-training")
