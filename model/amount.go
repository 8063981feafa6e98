package model

// Amount is money in fen (1/100 yuan). It is never converted through a float.
type Amount int64
