"""The virtual waiting room (docs/onsale.md): the pure order and admission schedule
(`order`), signed queue passes (`passes`) and the admitter process (`admitter`)."""
