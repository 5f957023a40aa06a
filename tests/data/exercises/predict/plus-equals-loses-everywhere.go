// expects counter += 1 to lose updates on 3.12 too, as it did on 3.9
var predict = map[string]string{
	"3.12, GIL: counter += 1":                  "loses",
	"3.12, GIL: counter = add_one(counter)":    "loses",
	"3.12, GIL: read, time.sleep(0), write":    "loses",
	"3.9, GIL: counter += 1":                   "loses",
	"3.13t, free-threaded: counter += 1":       "loses",
	"3.13t, free-threaded: with lock: add_one": "exact",
}
