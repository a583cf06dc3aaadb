// gophercloud's nova extension packages against extgate's nova profile, no auth: extendedstatus,
// availabilityzones, serverusage and extendedserverattributes read the fields nova's extensions add;
// startstop stops and starts a server, lockunlock locks it; list filters by status and name.
// usage: gophercloud-nova http://127.0.0.1:PORT/v2/PROJECT/ ; one line per step, OK at the end, exit 1 at the first failure.
package main

import (
	"fmt"
	"net/http"
	"os"
	"time"

	"github.com/gophercloud/gophercloud"
	"github.com/gophercloud/gophercloud/openstack/compute/v2/extensions/availabilityzones"
	"github.com/gophercloud/gophercloud/openstack/compute/v2/extensions/extendedstatus"
	"github.com/gophercloud/gophercloud/openstack/compute/v2/extensions/lockunlock"
	"github.com/gophercloud/gophercloud/openstack/compute/v2/extensions/serverusage"
	"github.com/gophercloud/gophercloud/openstack/compute/v2/extensions/startstop"
	"github.com/gophercloud/gophercloud/openstack/compute/v2/flavors"
	"github.com/gophercloud/gophercloud/openstack/compute/v2/images"
	"github.com/gophercloud/gophercloud/openstack/compute/v2/servers"
)

func must(err error, what string) {
	if err != nil {
		fmt.Fprintf(os.Stderr, "FAIL %s: %v\n", what, err)
		os.Exit(1)
	}
}

func expect(ok bool, format string, args ...interface{}) {
	if !ok {
		fmt.Fprintf(os.Stderr, "FAIL "+format+"\n", args...)
		os.Exit(1)
	}
}

// A server with nova's extension fields, the way gophercloud composes extension results.
type novaServer struct {
	servers.Server
	extendedstatus.ServerExtendedStatusExt
	availabilityzones.ServerAvailabilityZoneExt
	serverusage.UsageExt
}

func get(client *gophercloud.ServiceClient, id string) novaServer {
	var s novaServer
	must(servers.Get(client, id).ExtractInto(&s), "get into the extension structs")
	return s
}

func waitFor(client *gophercloud.ServiceClient, id, status string) novaServer {
	for i := 0; i < 100; i++ {
		if s := get(client, id); s.Status == status {
			return s
		}
		time.Sleep(100 * time.Millisecond)
	}
	fmt.Fprintf(os.Stderr, "FAIL server %s never became %s\n", id, status)
	os.Exit(1)
	return novaServer{}
}

func main() {
	provider := &gophercloud.ProviderClient{HTTPClient: http.Client{Timeout: 10 * time.Second}}
	client := &gophercloud.ServiceClient{ProviderClient: provider, Endpoint: os.Args[1]}

	fp, err := flavors.ListDetail(client, nil).AllPages()
	must(err, "flavors")
	fl, _ := flavors.ExtractFlavors(fp)
	ip, err := images.ListDetail(client, nil).AllPages()
	must(err, "images")
	im, _ := images.ExtractImages(ip)
	fmt.Printf("flavor %s: swap %d, ephemeral %d, public %v\n", fl[2].Name, fl[2].Swap, fl[2].Ephemeral, fl[2].IsPublic)
	expect(fl[2].Swap == 512 && fl[0].Swap == 0 && fl[0].IsPublic, "flavors %+v", fl)

	created, err := servers.Create(client, servers.CreateOpts{Name: "gopher-nova", ImageRef: im[0].ID, FlavorRef: fl[0].ID}).Extract()
	must(err, "create")
	s := waitFor(client, created.ID, "ACTIVE")
	fmt.Printf("active: vm_state %s, power_state %d, availability_zone %s, launched: %v\n", s.VmState, s.PowerState, s.AvailabilityZone, !s.LaunchedAt.IsZero())
	expect(s.VmState == "active" && s.PowerState == extendedstatus.RUNNING && s.AvailabilityZone == "nova" && !s.LaunchedAt.IsZero(), "active server %+v", s)

	must(startstop.Stop(client, s.ID).ExtractErr(), "startstop.Stop")
	s = waitFor(client, s.ID, "SHUTOFF")
	fmt.Printf("startstop.Stop: status %s, vm_state %s, power_state %d\n", s.Status, s.VmState, s.PowerState)
	expect(s.VmState == "stopped" && s.PowerState == extendedstatus.SHUTDOWN, "stopped server %+v", s)

	lp, err := servers.List(client, servers.ListOpts{Status: "SHUTOFF", Name: "^gopher"}).AllPages()
	must(err, "list by status and name")
	listed, _ := servers.ExtractServers(lp)
	fmt.Printf("ListOpts{Status: SHUTOFF, Name: ^gopher}: %d listed\n", len(listed))
	expect(len(listed) == 1 && listed[0].ID == s.ID, "listed %v", listed)

	must(lockunlock.Lock(client, s.ID).ExtractErr(), "lockunlock.Lock")
	err = startstop.Start(client, s.ID).ExtractErr()
	_, conflict := err.(gophercloud.ErrDefault409)
	fmt.Printf("startstop.Start of the locked server: 409 %v\n", conflict)
	expect(conflict, "start of a locked server: %v", err)
	must(lockunlock.Unlock(client, s.ID).ExtractErr(), "lockunlock.Unlock")

	must(startstop.Start(client, s.ID).ExtractErr(), "startstop.Start")
	s = waitFor(client, s.ID, "ACTIVE")
	fmt.Printf("startstop.Start: status %s, vm_state %s\n", s.Status, s.VmState)
	must(servers.Delete(client, s.ID).ExtractErr(), "delete")
	fmt.Println("OK")
}
